// Package integration holds storaged's end-to-end tests: they build the
// real storaged binary, start it on loopback with real TLS and drive
// directories in temporary folders, and talk to it with real clients
// (aws-sdk-go-v2 with its default checksum settings, and raw HTTP where a
// request shape must be exact). It has no code outside its tests.
package integration
