// Package s3api is storaged's S3 HTTP surface: it routes S3 requests,
// authenticates them with AWS Signature Version 4, authorizes them against
// identity and bucket policies, decodes and
// verifies request bodies (aws-chunked streaming, payload hashes, checksums,
// Content-MD5), calls the object layer and writes S3's XML answers and
// errors.
//
// It owns the wire protocol only. It never stores bytes itself, never
// decides how objects are laid out, and never logs secrets or the
// Authorization header: everything below HTTP goes through object.Layer.
//
// Choices written down here because AWS leaves them open or because Strata
// differs on purpose:
//
//   - Path-style addressing (/bucket/key) always works; virtual-hosted
//     style (bucket.DOMAIN/key) works for the domains in Config.Domains
//     (storaged --domain), longest domain first. The canonical URI of a
//     signature keeps the path exactly as sent: double slashes stay,
//     nothing is normalised, so the key "/notes.txt" is /bucket//notes.txt.
//   - Authentication is the Authorization header (AWS4-HMAC-SHA256) or a
//     presigned URL (X-Amz-Algorithm query). SigV2 and SigV4a are refused.
//   - Every request body is verified before the object layer sees its end:
//     a mismatch in the payload SHA-256, Content-MD5, a whole-object
//     checksum header or a streamed trailer checksum makes the body reader
//     return an error instead of io.EOF, so nothing is stored.
//   - An object uploaded without a checksum gets a CRC-64/NVME one, as AWS
//     does for new objects, returned on GET and HEAD with
//     x-amz-checksum-mode: ENABLED.
//   - A request for an S3 feature that is not built (MFA delete,
//     encryption headers, ACL grants, lifecycle transitions and
//     the other sub-resources) gets 501 NotImplemented, never a silently wrong
//     answer; so does a multipart, tagging or versioning request on an
//     object layer that lacks the capability.
//   - x-amz-version-id is sent for versions with an ID, never for the null
//     version. A version ID of a shape Strata never issues is
//     InvalidArgument, as AWS answers a malformed one (MinIO, whose IDs are
//     UUIDs, answers NoSuchVersion).
//   - Content-Type, Content-Encoding, Content-Disposition,
//     Content-Language, Cache-Control and Expires are stored as sent
//     (Expires too, unparsed) and returned on GET and HEAD; aws-chunked is
//     a transfer coding and is dropped from the stored Content-Encoding.
//   - Writes take If-None-Match: * (create only) and If-Match; S3 takes no
//     other If-None-Match on writes, so any other is NotImplemented. The
//     check is repeated under the key's lock at the commit.
//   - A copy streams the source's bytes into a new object (also onto
//     itself with REPLACE), computing a fresh checksum: the one the request
//     names, else the source's algorithm (full-object even where the
//     source's was composite), else CRC-64/NVME. A
//     copy of a multipart object is therefore a single-part object whose
//     ETag is the MD5 of its bytes.
//   - A multipart upload created with x-amz-checksum-algorithm makes every
//     part carry that checksum (computed when the client sends none) and
//     gives the object a COMPOSITE or FULL_OBJECT checksum (the parts'
//     CRCs combined; SHA, MD5 and xxHash uploads are COMPOSITE only, and
//     FULL_OBJECT for them is InvalidRequest). An upload without one gets a FULL_OBJECT CRC-64/NVME
//     when every part carries one, and no checksum otherwise.
//   - Trailer lines of an aws-chunked body may end with a bare LF, as
//     minio-go writes them; chunk lines still need CRLF. The trailer
//     signature covers names and values, not line endings.
//   - GET and HEAD with partNumber of an object written whole treat it as
//     its only part: part 1 is the whole object, others are
//     InvalidPartNumber.
//   - Authorization (authz.go) follows authentication on every request.
//     The root key is the owner and, as in MinIO, bypasses every policy,
//     bucket policies' explicit denies included. Another key (Config.Keys)
//     may do what its identity policy or the bucket's policy allows, its
//     principal in bucket policies being arn:aws:iam:::user/NAME; an
//     explicit Deny in either wins. A request with no signature at all is
//     anonymous (principal "*") and may do only what a bucket policy
//     allows. ListBuckets needs s3:ListAllMyBuckets in the key's identity
//     policy, else it is AccessDenied as in AWS; DeleteObjects reports
//     AccessDenied per key. aws:SourceIp is the TCP peer; forwarding headers are ignored.
//   - CORS preflights (OPTIONS) are answered before authentication from the
//     bucket's CORS configuration, as S3 does; a request carrying Origin
//     gets the matching rule's headers, error answers included.
//   - Browser form uploads (POST with a SigV4-signed policy) stream the
//     file into the object layer; the policy's conditions are checked
//     before the commit, and the form's signer is authorized for
//     s3:PutObject like any other request.
//   - /strata/health/live, /strata/health/ready and /strata/metrics
//     (Prometheus) answer without authentication; /strata/admin/ (healing
//     status and sweeps) needs the root key's signature. The bucket name
//     "strata" is therefore reserved and refused with InvalidBucketName.
//   - With Config.Audit, every answered request, admin calls included, is
//     handed once to the Auditor as a telemetry.AuditRecord after its
//     answer: the operation as the metrics name it, the access key ID of
//     a checked signature ("" when anonymous), the S3 error code of a 4xx
//     or 5xx, body bytes in and out. Health checks and metrics scrapes
//     are not audited; a client gone before any answer is status 499.
//   - Lifecycle configurations (?lifecycle) are parsed and checked by
//     storaged/lifecycle, which also enforces them; a rule with a
//     Transition is NotImplemented until tiering lands. Putting or
//     deleting one needs s3:PutLifecycleConfiguration and reading one
//     s3:GetLifecycleConfiguration, besides the bucket-level action the
//     request's method maps to. GET and HEAD do not send x-amz-expiration.
//   - Bucket quotas are hard limits set through /strata/admin/quota (root
//     key, JSON {"hardBytes": N, "hardObjects": M}). A write that would
//     take a bucket over either limit is refused with 403
//     XStrataBucketQuotaExceeded before anything is stored; quota.go says
//     which writes are checked, how usage is counted (every object version
//     is an object) and how far it may lag. Quotas are enforced only
//     behind an Admin (storaged always puts one in front).
//   - Object Lock follows AWS. A bucket created with
//     x-amz-bucket-object-lock-enabled: true has versioning Enabled for
//     good (suspending it is 409 InvalidBucketState) and its ?object-lock
//     configuration; as AWS now allows, a bucket created without it may
//     get it through ?object-lock once its versioning is Enabled (409
//     InvalidBucketState before), and never lose it. Retention and legal
//     hold are kept per version (?retention, ?legal-hold and the
//     x-amz-object-lock-* headers of PutObject, CopyObject and
//     CreateMultipartUpload; the bucket's default retention otherwise,
//     counted from the write, or for a multipart upload from its
//     creation) and sent on GET and HEAD to anyone who may read the
//     object. A delete naming a version under a legal hold or an unexpired
//     retention is AccessDenied; GOVERNANCE gives way to
//     x-amz-bypass-governance-retention: true from the root key or a key
//     allowed s3:BypassGovernanceRetention. A write with lock headers and
//     a body needs Content-MD5 or an x-amz-checksum-* header (or one
//     announced in x-amz-trailer), as AWS demands; the ?retention,
//     ?legal-hold and ?object-lock bodies do not. Browser form uploads
//     (POST) get no default retention yet.
package s3api
