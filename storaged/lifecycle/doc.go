// Package lifecycle owns S3 bucket lifecycle configurations in storaged:
// their XML document (Parse, Configuration), what their rules say about an
// object or an upload (Configuration.Expiration and friends), and the
// Worker that enforces them by walking every bucket that has a
// configuration and deleting what has expired.
//
// It stands apart from storaged/object because it is a client of the
// object layer, not a part of it: the Worker reaches buckets only through
// object.Layer and its optional capabilities (BucketLifecycleStore,
// Versioned, Multipart), so that it works the same over one erasure set
// and over a multi-set store, and storaged/s3api uses the same parser to
// validate what it stores. The object layer keeps the document as opaque
// bytes.
//
// Semantics follow AWS S3 for expiration: Expiration (Days, Date,
// ExpiredObjectDeleteMarker), NoncurrentVersionExpiration (NoncurrentDays,
// NewerNoncurrentVersions) and AbortIncompleteMultipartUpload. A day count
// is rounded up to the next midnight UTC, as S3 does. Transitions are
// refused with NotImplemented: tiering comes later.
//
// The package never logs: the Worker reports each pass through
// Config.OnPass. It deletes only what a rule names, and it rechecks a
// current version just before deleting it, so that an object written
// since the listing is kept.
package lifecycle
