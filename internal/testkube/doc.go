// Package testkube runs a real Kubernetes API server for a test: the
// kube-apiserver binary of Kubernetes v1.36 as a child process on
// 127.0.0.1, backed by a real embedded etcd from internal/testetcd. Code
// that reads Kubernetes objects (a tenant's certificate in a Secret, say)
// is tested against it rather than against a double, so that
// authentication, RBAC refusals, TLS verification and the wire format are
// the API server's own.
//
// The server trusts two static bearer tokens, fixed before it starts: an
// administrator in system:masters, whose client and kubeconfig the
// Cluster carries, and the user Reader, who starts with no RBAC rights
// and can be granted get on Secrets in one namespace. The server's
// serving certificate is signed by a CA made for the test, and every
// client verifies it.
//
// The binary is $STRATA_KUBE_APISERVER, which make test sets, or else the
// one scripts/tools.sh kube-apiserver builds (minutes, once) and caches.
// A cluster is ready about 3 s after Start is called (2.4 to 3.2 s measured
// on 2 busy cores), most of it the server's post-start hooks such as the
// RBAC bootstrap roles, so tests share one where they can.
//
// The package is for tests only and never logs; the server's own log is
// kept in a file and shown when it fails to start.
package testkube
