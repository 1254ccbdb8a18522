// Package compat is Strata's S3 client compatibility matrix. Its tests
// start a real storaged over TLS on loopback (4 drives, parity 2) and
// drive it with the clients people use: the AWS CLI, s3cmd and rclone
// from Debian's packages (scripts/deps.sh installs them), minio-go's API,
// and minio-go's own functional test suite, built at test time from the
// minio-go module in the module cache (none of its code is kept here).
//
// Each client has a table of expected gaps: operations that are known not
// to work yet, each with its reason. A test fails on any failure that is
// not in its table, and on a listed gap that now passes, so that the
// table and the README's matrix stay honest. A missing client program is
// a failure that says to run scripts/deps.sh, never a skip.
//
// The matrix is printed as a Markdown table in the test log;
// `go test ./storaged/compat -update-readme` also writes it into the
// "S3 client compatibility" section of README.md.
//
// The package has no code outside its tests. It talks only to the
// storaged processes it starts on 127.0.0.1.
package compat
