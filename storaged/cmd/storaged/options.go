package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/s3api"
	"github.com/strata-storage/strata/storaged/telemetry"
)

// Environment variables read when the matching flag is not given.
const (
	envListen          = "STORAGED_LISTEN"
	envTLSCert         = "STORAGED_TLS_CERT"
	envTLSKey          = "STORAGED_TLS_KEY"
	envInsecureHTTP    = "STORAGED_INSECURE_HTTP"
	envDrives          = "STORAGED_DRIVES"
	envParity          = "STORAGED_PARITY"
	envRRSParity       = "STORAGED_RRS_PARITY"
	envRegion          = "STORAGED_REGION"
	envCredentialsFile = "STORAGED_CREDENTIALS_FILE"
	envLogLevel        = "STORAGED_LOG_LEVEL"
	envLogJSON         = "STORAGED_LOG_JSON"
	envMetrics         = "STORAGED_METRICS"
	envTopology        = "STORAGED_TOPOLOGY"
	envNodeName        = "STORAGED_NODE_NAME"
	envTLSCA           = "STORAGED_TLS_CA"
	envRPCTLSCert      = "STORAGED_RPC_TLS_CERT"
	envRPCTLSKey       = "STORAGED_RPC_TLS_KEY"
	// envDomains gives --domain: a comma-separated list.
	envDomains = "STRATA_DOMAINS"
	// envRootAccessKeyID and envRootSecretAccessKey give the root key pair
	// when no credentials file is named.
	envRootAccessKeyID     = "STRATA_ROOT_ACCESS_KEY_ID"
	envRootSecretAccessKey = "STRATA_ROOT_SECRET_ACCESS_KEY"
)

// Defaults of the flags.
const (
	defaultListen   = "127.0.0.1:9000"
	defaultRegion   = "us-east-1"
	defaultLogLevel = "info"
	minDrives       = 2
)

// options is the validated configuration of one storaged process.
type options struct {
	listen       string
	tlsCert      string
	tlsKey       string
	insecureHTTP bool
	drives       []string
	parity       int
	region       string
	credentials  s3api.Credentials
	logLevel     hclog.Level
	logJSON      bool
	// metrics serves /strata/metrics.
	metrics bool
	// cluster is set when the node is one of several (--topology); drives
	// and parity then come from it.
	cluster *clusterOptions
	// domains are the DNS names under which buckets are addressed
	// virtual-hosted style (--domain); empty means path style only.
	domains []string
	// rpcTLSCert and rpcTLSKey are the node certificate, from the tenant's
	// CA, for the drive RPC and for clients that name the node by SNI; by
	// default the --tls-cert pair.
	rpcTLSCert, rpcTLSKey string
	// heal is --heal-rate, --scan-interval and --drive-check-interval.
	heal healOptions
	// lifecycle is --lifecycle-interval and --lifecycle-rate.
	lifecycle lifecycleOptions
	// accessKeysFile is --access-keys-file, "" when not given;
	// accessKeys are its keys as loaded at start.
	accessKeysFile string
	accessKeys     *s3api.StaticKeys
	// rrsParity is the parity of REDUCED_REDUNDANCY objects (--rrs-parity):
	// 1 to parity, or 0 to store them with parity.
	rrsParity int
	// auditTargets and logTargets are where the audit log and the node's
	// log lines go (--audit-target, --log-target).
	auditTargets, logTargets []telemetry.Target
}

// clusterOptions are the options of a node of a multi-node tenant.
type clusterOptions struct {
	topology *topology
	// tlsCA is the tenant's CA (PEM file): peers' certificates must chain
	// to it, in both directions of the drive RPC.
	tlsCA string
}

// rawFlags holds the flags as given, before validation.
type rawFlags struct {
	listen, tlsCert, tlsKey, region, credentialsFile, logLevel string
	topology, nodeName, tlsCA                                  string
	rpcTLSCert, rpcTLSKey                                      string
	accessKeysFile                                             string
	healRate, scanInterval, driveCheckInterval                 string
	lifecycleInterval, lifecycleRate                           string
	insecureHTTP, logJSON, metrics                             bool
	drives                                                     driveList
	domains                                                    domainList
	auditTargets, logTargets                                   targetList
	parity, rrsParity                                          int
}

// driveList is the repeatable --drive flag; each value may also be a
// comma-separated list.
type driveList []string

func (d *driveList) String() string { return strings.Join(*d, ",") }

func (d *driveList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			return errors.New("empty drive path; give a directory for each drive")
		}
		*d = append(*d, p)
	}
	return nil
}

// domainList is the repeatable --domain flag; each value may also be a
// comma-separated list.
type domainList []string

func (d *domainList) String() string { return strings.Join(*d, ",") }

func (d *domainList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			return errors.New("empty domain; give a DNS name such as s3.example.com")
		}
		*d = append(*d, p)
	}
	return nil
}

// checkDomains validates the --domain names as DNS names.
func checkDomains(domains []string) ([]string, error) {
	var errs []error
	seen := map[string]bool{}
	for _, d := range domains {
		if err := s3api.ValidateDomain(d); err != nil {
			errs = append(errs, fmt.Errorf("--domain: %w", err))
		} else if seen[d] {
			errs = append(errs, fmt.Errorf("--domain %q is given twice", d))
		}
		seen[d] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return domains, nil
}

// parseOptions parses args with environment fallbacks and validates
// everything, reporting every problem at once.
func parseOptions(args []string, getenv func(string) string, out io.Writer) (options, error) {
	raw, err := parseFlags(args, getenv, out)
	if err != nil {
		return options{}, err
	}
	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	opts := options{region: raw.region, insecureHTTP: raw.insecureHTTP, logJSON: raw.logJSON,
		metrics: raw.metrics}
	opts.listen, err = checkListen(raw.listen)
	collect(err)
	opts.tlsCert, opts.tlsKey, err = checkTLS(raw)
	collect(err)
	opts.rpcTLSCert, opts.rpcTLSKey, err = checkRPCTLS(raw)
	collect(err)
	if raw.topology == "" {
		collect(checkNoCluster(raw))
		opts.drives, err = checkDrives(raw.drives)
		collect(err)
		opts.parity, err = checkParity(raw.parity, len(opts.drives))
		collect(err)
	} else {
		opts.cluster, err = checkCluster(rawWithRPCCert(raw, opts), opts.rpcTLSCert)
		collect(err)
		if opts.cluster != nil {
			opts.drives = opts.cluster.topology.localDrives()
			opts.parity = opts.cluster.topology.parity
		}
	}
	opts.rrsParity, err = checkRRSParity(raw.rrsParity, opts.parity)
	collect(err)
	collect(checkRegion(raw.region))
	opts.credentials, err = loadCredentials(raw.credentialsFile, getenv)
	collect(err)
	opts.logLevel, err = checkLogLevel(raw.logLevel)
	collect(err)
	if opts.accessKeysFile = raw.accessKeysFile; opts.accessKeysFile != "" {
		opts.accessKeys, err = loadAccessKeys(raw.accessKeysFile, opts.credentials.AccessKeyID)
		collect(err)
	}
	opts.domains, err = checkDomains(raw.domains)
	collect(err)
	opts.heal, err = checkHeal(raw.healRate, raw.scanInterval)
	collect(err)
	opts.heal.driveCheck, err = checkDriveCheckInterval(raw.driveCheckInterval)
	collect(err)
	opts.lifecycle, err = checkLifecycle(raw.lifecycleInterval, raw.lifecycleRate)
	collect(err)
	opts.auditTargets, err = checkTargets("audit-target", raw.auditTargets,
		telemetry.DefaultAuditIndex)
	collect(err)
	opts.logTargets, err = checkTargets("log-target", raw.logTargets, telemetry.DefaultLogIndex)
	collect(err)
	return opts, errors.Join(errs...)
}

// parseFlags reads the command line over defaults taken from getenv.
func parseFlags(args []string, getenv func(string) string, out io.Writer) (rawFlags, error) {
	var raw rawFlags
	fs := flag.NewFlagSet("storaged", flag.ContinueOnError)
	fs.SetOutput(out)
	envBools, err := envBools(getenv)
	if err != nil {
		return raw, err
	}
	fs.StringVar(&raw.listen, "listen", envOr(getenv, envListen, defaultListen),
		"address to serve S3 on, host:port (env "+envListen+")")
	fs.StringVar(&raw.tlsCert, "tls-cert", getenv(envTLSCert),
		"PEM certificate chain file for HTTPS (env "+envTLSCert+")")
	fs.StringVar(&raw.tlsKey, "tls-key", getenv(envTLSKey),
		"PEM private key file for HTTPS (env "+envTLSKey+")")
	fs.BoolVar(&raw.insecureHTTP, "insecure-http", envBools[envInsecureHTTP],
		"serve plain HTTP without TLS; for tests only (env "+envInsecureHTTP+")")
	fs.Var(&raw.drives, "drive", "drive directory; repeat it or give a comma-separated "+
		"list, at least 2 (env "+envDrives+")")
	fs.IntVar(&raw.parity, "parity", 0, "parity shards per object; default 2 up to 5 "+
		"drives, 3 for 6-7, 4 from 8, never more than half the drives (env "+envParity+")")
	fs.IntVar(&raw.rrsParity, "rrs-parity", 0, "parity shards of objects written with "+
		"x-amz-storage-class REDUCED_REDUNDANCY, 1 to --parity; by default they get "+
		"--parity and still report their class (env "+envRRSParity+")")
	fs.StringVar(&raw.region, "region", envOr(getenv, envRegion, defaultRegion),
		"S3 region this endpoint answers for (env "+envRegion+")")
	fs.StringVar(&raw.credentialsFile, "credentials-file", getenv(envCredentialsFile),
		"JSON file {\"accessKeyId\",\"secretAccessKey\"}, mode 0600 (env "+envCredentialsFile+
			"; else "+envRootAccessKeyID+" and "+envRootSecretAccessKey+")")
	fs.StringVar(&raw.accessKeysFile, "access-keys-file", getenv(envAccessKeysFile),
		"JSON file {\"keys\":[{\"name\",\"accessKeyId\",\"secretAccessKey\",\"policy\"}]} "+
			"of keys besides the root key, each with an IAM identity policy; mode 0600, "+
			"reloaded on SIGHUP (env "+envAccessKeysFile+")")
	fs.StringVar(&raw.logLevel, "log-level", envOr(getenv, envLogLevel, defaultLogLevel),
		"trace, debug, info, warn or error (env "+envLogLevel+")")
	fs.BoolVar(&raw.logJSON, "log-json", envBools[envLogJSON],
		"write logs as JSON lines (env "+envLogJSON+")")
	fs.BoolVar(&raw.metrics, "metrics", envBools[envMetrics],
		"serve Prometheus metrics at /strata/metrics without authentication; "+
			"--metrics=false turns them off (env "+envMetrics+")")
	fs.StringVar(&raw.topology, "topology", getenv(envTopology),
		"JSON file of a multi-node tenant's nodes and drives; replaces --drive and "+
			"--parity (env "+envTopology+")")
	fs.StringVar(&raw.nodeName, "node-name", getenv(envNodeName),
		"this node's name in --topology (env "+envNodeName+")")
	fs.StringVar(&raw.tlsCA, "tls-ca", getenv(envTLSCA),
		"PEM file of the tenant's CA, which signs every node's certificate; required "+
			"with --topology (env "+envTLSCA+")")
	fs.Var(&raw.domains, "domain", "DNS name under which buckets are addressed "+
		"virtual-hosted style (<bucket>.<domain>); repeat it or give a comma-separated "+
		"list (env "+envDomains+")")
	fs.StringVar(&raw.rpcTLSCert, "rpc-tls-cert", getenv(envRPCTLSCert),
		"PEM node certificate from the tenant's CA, for the drive RPC and for clients "+
			"that ask for a node name by SNI; default --tls-cert (env "+envRPCTLSCert+")")
	fs.StringVar(&raw.rpcTLSKey, "rpc-tls-key", getenv(envRPCTLSKey),
		"PEM private key of --rpc-tls-cert; default --tls-key (env "+envRPCTLSKey+")")
	fs.StringVar(&raw.healRate, "heal-rate", getenv(envHealRate),
		"objects per second the heal scanner checks; default 100 (env "+envHealRate+")")
	fs.StringVar(&raw.scanInterval, "scan-interval", getenv(envScanInterval),
		"pause between heal scanner cycles, e.g. 1h (the default); 0 turns the scanner "+
			"off (env "+envScanInterval+")")
	fs.StringVar(&raw.driveCheckInterval, "drive-check-interval", getenv(envDriveCheckInterval),
		"pause between checks that this node's drives still hold their format, e.g. 5s "+
			"(the default); a drive found wiped or replaced by an empty one is formatted "+
			"again and healed; 0 turns the checks off (env "+envDriveCheckInterval+")")
	fs.StringVar(&raw.lifecycleInterval, "lifecycle-interval", getenv(envLifecycleInterval),
		"pause between lifecycle expiration passes, e.g. 1h (the default); 0 turns them "+
			"off (env "+envLifecycleInterval+")")
	fs.StringVar(&raw.lifecycleRate, "lifecycle-rate", getenv(envLifecycleRate),
		"object versions per second a lifecycle pass examines; default 500 (env "+
			envLifecycleRate+")")
	fs.Var(&raw.auditTargets, "audit-target", targetHelp("audit records, one per S3 request,",
		telemetry.DefaultAuditIndex, envAuditTargets))
	fs.Var(&raw.logTargets, "log-target", targetHelp("storaged's own log lines",
		telemetry.DefaultLogIndex, envLogTargets))
	if err := fs.Parse(args); err != nil {
		return raw, err
	}
	if fs.NArg() > 0 {
		return raw, fmt.Errorf("unexpected argument %q: storaged takes only flags", fs.Arg(0))
	}
	return raw, applyEnvFallbacks(&raw, fs, getenv)
}

// envBools parses the boolean environment variables.
func envBools(getenv func(string) string) (map[string]bool, error) {
	out := map[string]bool{}
	out[envMetrics] = true
	for _, name := range []string{envInsecureHTTP, envLogJSON, envMetrics} {
		v := getenv(name)
		if v == "" {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: use true or false", name, v)
		}
		out[name] = b
	}
	return out, nil
}

// applyEnvFallbacks fills --drive and --parity from the environment when
// they were not given.
func applyEnvFallbacks(raw *rawFlags, fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["drive"] && getenv(envDrives) != "" {
		if err := raw.drives.Set(getenv(envDrives)); err != nil {
			return fmt.Errorf("%s: %w", envDrives, err)
		}
	}
	if !given["domain"] && getenv(envDomains) != "" {
		if err := raw.domains.Set(getenv(envDomains)); err != nil {
			return fmt.Errorf("%s: %w", envDomains, err)
		}
	}
	if err := targetEnvFallbacks(raw, given, getenv); err != nil {
		return err
	}
	if !given["parity"] && getenv(envParity) != "" {
		p, err := strconv.Atoi(getenv(envParity))
		if err != nil {
			return fmt.Errorf("%s=%q: give a whole number", envParity, getenv(envParity))
		}
		raw.parity = p
	}
	if given["parity"] && raw.parity == 0 {
		return errors.New("--parity 0: give at least 1, or leave the flag out for the default")
	}
	return rrsParityFallback(raw, given["rrs-parity"], getenv)
}

// rrsParityFallback fills --rrs-parity from the environment when it was
// not given, and refuses an explicit 0, which would mean no parity.
func rrsParityFallback(raw *rawFlags, given bool, getenv func(string) string) error {
	if given {
		if raw.rrsParity == 0 {
			return errors.New("--rrs-parity 0: give at least 1, or leave the flag out to " +
				"store REDUCED_REDUNDANCY objects with --parity")
		}
		return nil
	}
	v := getenv(envRRSParity)
	if v == "" {
		return nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p == 0 {
		return fmt.Errorf("%s=%q: give a whole number from 1 to the parity", envRRSParity, v)
	}
	raw.rrsParity = p
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// checkListen validates host:port.
func checkListen(addr string) (string, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--listen %q: give host:port, e.g. %s", addr, defaultListen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("--listen %q: the port must be a number from 0 to 65535", addr)
	}
	return addr, nil
}

// checkDrives demands at least two distinct drive directories and makes
// their paths absolute.
func checkDrives(drives []string) ([]string, error) {
	if len(drives) < minDrives {
		return nil, fmt.Errorf("--drive: got %d drive(s); storaged needs at least %d "+
			"(repeat --drive DIR or give a comma-separated list)", len(drives), minDrives)
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(drives))
	for _, d := range drives {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("--drive %q: %w", d, err)
		}
		if seen[abs] {
			return nil, fmt.Errorf(
				"--drive %q is given twice; each drive must be its own directory", d)
		}
		seen[abs] = true
		out = append(out, abs)
	}
	return out, nil
}

// defaultParity is the parity for a drive count: 2 up to 5 drives, 3 for
// 6 and 7, 4 from 8, and never more than half the drives.
func defaultParity(drives int) int {
	p := 2
	switch {
	case drives >= 8:
		p = 4
	case drives >= 6:
		p = 3
	}
	return min(p, drives/2)
}

// checkParity applies the default and refuses a parity that breaks quorum.
func checkParity(parity, drives int) (int, error) {
	if drives < minDrives {
		return 0, nil // already reported by checkDrives
	}
	if parity == 0 {
		return defaultParity(drives), nil
	}
	if parity < 1 || parity > drives/2 {
		return 0, fmt.Errorf("--parity %d with %d drives breaks quorum: give a parity from "+
			"1 to %d (at most half the drives)", parity, drives, drives/2)
	}
	return parity, nil
}

// checkRRSParity refuses a REDUCED_REDUNDANCY parity outside 1 to the
// standard parity: more would make reduced redundancy the stronger class.
// 0 means none was given.
func checkRRSParity(rrs, parity int) (int, error) {
	if rrs == 0 || parity == 0 { // a bad parity is reported by itself
		return rrs, nil
	}
	if rrs < 1 || rrs > parity {
		return 0, fmt.Errorf("--rrs-parity %d with parity %d: give 1 to %d, or leave it out "+
			"to store REDUCED_REDUNDANCY objects with parity %d", rrs, parity, parity, parity)
	}
	return rrs, nil
}

// checkTLS demands a certificate and key, both readable, unless
// --insecure-http is given.
func checkTLS(raw rawFlags) (string, string, error) {
	switch {
	case raw.insecureHTTP && (raw.tlsCert != "" || raw.tlsKey != ""):
		return "", "", errors.New("--insecure-http cannot be combined with --tls-cert or " +
			"--tls-key: choose HTTPS or plain HTTP")
	case raw.insecureHTTP:
		return "", "", nil
	case raw.tlsCert == "" || raw.tlsKey == "":
		return "", "", errors.New("--tls-cert and --tls-key are both required: storaged " +
			"serves HTTPS only (pass --insecure-http for plain HTTP in tests)")
	}
	if _, err := tls.LoadX509KeyPair(raw.tlsCert, raw.tlsKey); err != nil {
		return "", "", fmt.Errorf("--tls-cert %q / --tls-key %q: %w", raw.tlsCert, raw.tlsKey, err)
	}
	return raw.tlsCert, raw.tlsKey, nil
}

// checkRPCTLS returns the node certificate pair: --rpc-tls-cert and
// --rpc-tls-key, both or neither, defaulting to the --tls-cert pair.
func checkRPCTLS(raw rawFlags) (string, string, error) {
	switch {
	case raw.rpcTLSCert == "" && raw.rpcTLSKey == "":
		return raw.tlsCert, raw.tlsKey, nil
	case raw.insecureHTTP:
		return "", "", errors.New("--insecure-http cannot be combined with --rpc-tls-cert " +
			"or --rpc-tls-key: choose HTTPS or plain HTTP")
	case raw.rpcTLSCert == "" || raw.rpcTLSKey == "":
		return "", "", errors.New("--rpc-tls-cert and --rpc-tls-key go together: give both, " +
			"or neither to use the --tls-cert pair")
	}
	if _, err := tls.LoadX509KeyPair(raw.rpcTLSCert, raw.rpcTLSKey); err != nil {
		return "", "", fmt.Errorf("--rpc-tls-cert %q / --rpc-tls-key %q: %w", raw.rpcTLSCert,
			raw.rpcTLSKey, err)
	}
	return raw.rpcTLSCert, raw.rpcTLSKey, nil
}

// rawWithRPCCert returns raw with the node certificate pair in place of
// the --tls-cert pair: that is the one the other nodes check.
func rawWithRPCCert(raw rawFlags, opts options) rawFlags {
	raw.tlsCert, raw.tlsKey = opts.rpcTLSCert, opts.rpcTLSKey
	return raw
}

func checkRegion(region string) error {
	if err := s3api.ValidateRegion(region); err != nil {
		return fmt.Errorf("--region: %w", err)
	}
	return nil
}

func checkLogLevel(v string) (hclog.Level, error) {
	switch l := hclog.LevelFromString(v); l {
	case hclog.NoLevel, hclog.Off:
		return 0, fmt.Errorf("--log-level %q: use trace, debug, info, warn or error", v)
	default:
		return l, nil
	}
}
