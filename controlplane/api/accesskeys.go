package api

import (
	"context"
	"crypto/rand"
	"errors"
	"maps"
	"net/http"
	"reflect"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/store"
	"github.com/strata-storage/strata/internal/policy"
)

// The rules of a tenant's access keys. The control plane makes the key
// pair: the access key ID when the key is created, a new secret then and
// each time spec.secretVersion goes up. The secret is stored (the storage
// nodes need it) and answered only by the PUT that made it; redact clears
// it from every other answer, lists and deletes included. At rest it is
// sealed with the secrets key, as every stored value is (see store.Seal).
//
// The policy is checked with storaged's own policy engine, so that a
// document the API accepts is one every storage node reads the same way.
// It is the one storaged package the control plane imports: a parser with
// no I/O and no state.

type accessKeyKindT = kind[model.AccessKey, model.AccessKeySpec, *model.AccessKey]

// Alphabets of a generated key pair, as AWS draws them.
const (
	accessKeyIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// accessKeyIDPrefix starts every access key ID the control plane makes,
// as AKIA starts AWS's long-term keys.
const accessKeyIDPrefix = "SKIA"

func accessKeyKind(s *Server) *accessKeyKindT {
	return &accessKeyKindT{
		s: s, name: model.KindAccessKey, key: childKey, prefix: s.childPrefix,
		prepare: prepareAccessKey,
		admit:   s.admitAccessKey,
		canDelete: func(context.Context, *http.Request, *model.AccessKey) *apiError {
			return nil
		},
		redact: func(a *model.AccessKey) { a.Status.SecretAccessKey = "" },
	}
}

func prepareAccessKey(r *http.Request, spec *model.AccessKeySpec) model.Violations {
	var v model.Violations
	model.ValidateName(&v, "metadata.name", pathName(r))
	v = append(v, claimTenant(r, &spec.Tenant)...)
	return append(v, spec.Validate()...)
}

func (s *Server) admitAccessKey(ctx context.Context, _ *http.Request, old *model.AccessKey,
	spec *model.AccessKeySpec) *apiError {
	if _, e := s.liveTenant(ctx, spec.Tenant); e != nil {
		return e
	}
	var v model.Violations
	if old != nil && spec.SecretVersion < old.Spec.SecretVersion {
		v.Add("spec.secretVersion", "cannot go down from %d to %d: raise it to rotate the "+
			"secret, or leave it as it is", old.Spec.SecretVersion, spec.SecretVersion)
	}
	v = append(v, policyViolations("spec.policy", spec.Policy)...)
	if len(v) > 0 {
		return unprocessable(v)
	}
	return nil
}

// policyViolations returns one violation of field per problem that the
// policy engine finds in an identity policy document, each message led by
// the problem's place in the document, such as Statement[0].Action[1].
func policyViolations(field, doc string) model.Violations {
	_, err := policy.ParseIdentity([]byte(doc))
	if err == nil {
		return nil
	}
	var v model.Violations
	var pe *policy.ParseError
	if !errors.As(err, &pe) {
		v.Add(field, "%v", err)
		return v
	}
	for _, p := range pe.Problems {
		if p.Path == "" {
			v.Add(field, "%s", p.Message)
			continue
		}
		v.Add(field, "%s: %s", p.Path, p.Message)
	}
	return v
}

// putAccessKey is the PUT of an access key: the generic one, plus the key
// pair made on create and rotation, answered once.
func putAccessKey(k *accessKeyKindT) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code, obj, secret, e := applyAccessKey(k, r)
		if e != nil {
			writeError(w, r, e)
			return
		}
		w.Header().Set("ETag", obj.Metadata.ETag)
		out := k.output(obj)
		out.Status.SecretAccessKey = secret
		writeJSON(w, code, out)
	}
}

// applyAccessKey decodes and checks the request and writes it, with a new
// secret when it creates the key or raises its secretVersion. It returns
// the stored key and the secret it made, "" when it made none.
func applyAccessKey(k *accessKeyKindT, r *http.Request) (int, *model.AccessKey, string,
	*apiError) {
	var req model.PutRequest[model.AccessKeySpec]
	if e := decodeBody(r, &req); e != nil {
		return 0, nil, "", e
	}
	if v := k.prepare(r, &req.Spec); len(v) > 0 {
		return 0, nil, "", invalid(v)
	}
	var (
		code   int
		obj    *model.AccessKey
		secret string
	)
	e := retryLostRaces(r, func() *apiError {
		var e *apiError
		code, obj, secret, e = storeAccessKey(k, r, req)
		return e
	})
	return code, obj, secret, e
}

// storeAccessKey writes a decoded, valid request over what is stored now.
// A new key is seeded with its metadata and key pair and stored only if
// it still does not exist, so that two creates cannot both make a pair.
func storeAccessKey(k *accessKeyKindT, r *http.Request,
	req model.PutRequest[model.AccessKeySpec]) (int, *model.AccessKey, string, *apiError) {
	ctx, key := r.Context(), k.key(r)
	old, rev, e := k.load(ctx, key)
	if e != nil && e.code != http.StatusNotFound {
		return 0, nil, "", e
	}
	var oldMeta *model.Metadata
	if old != nil {
		oldMeta = &old.Metadata
	}
	if e := checkWritable(r, oldMeta, rev); e != nil {
		return 0, nil, "", e
	}
	if e := k.admit(ctx, r, old, &req.Spec); e != nil {
		return 0, nil, "", e
	}
	var labels map[string]string
	if req.Metadata != nil {
		labels = req.Metadata.Labels
	}
	if old != nil && reflect.DeepEqual(old.Spec, req.Spec) &&
		maps.Equal(old.Metadata.Labels, labels) {
		return http.StatusOK, old, "", nil
	}
	obj, code, secret := old, http.StatusOK, ""
	if old == nil {
		obj, code, rev = seedAccessKey(key, k.s.cfg.Now().UTC()), http.StatusCreated,
			store.MustNotExist
	}
	if old == nil || req.Spec.SecretVersion > old.Spec.SecretVersion {
		secret = issueSecret(obj, old == nil, k.s.cfg.Now().UTC())
	}
	// k.store answers 200 for a seeded object; the code is decided above.
	_, stored, e := k.store(ctx, key, obj, rev, req.Spec, labels)
	if e != nil {
		return 0, nil, "", e
	}
	return code, stored, secret, nil
}

// seedAccessKey returns a new access key, made at now, with its metadata
// and access key ID, for the generic store to fill in the rest.
func seedAccessKey(key string, now time.Time) *model.AccessKey {
	a := &model.AccessKey{Metadata: model.Metadata{Name: lastSegment(key), UID: newUID(),
		CreateTime: now}}
	a.Status.AccessKeyID = accessKeyIDPrefix + randomString(model.AccessKeyIDLength-
		len(accessKeyIDPrefix), accessKeyIDAlphabet)
	a.Status.CreatedAt = now
	return a
}

// issueSecret gives a a new secret, made at now, and returns it.
func issueSecret(a *model.AccessKey, created bool, now time.Time) string {
	a.Status.SecretAccessKey = randomString(model.SecretAccessKeyLength, secretAlphabet)
	if !created {
		a.Status.RotatedAt = now
	}
	return a.Status.SecretAccessKey
}

// randomString draws n characters uniformly from alphabet, whose length
// divides 256, so that no character is likelier than another.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
