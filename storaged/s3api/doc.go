// Package s3api is storaged's S3 HTTP surface: it routes path-style S3
// requests, authenticates them with AWS Signature Version 4, decodes and
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
//   - Only path-style addressing (/bucket/key) is served. The canonical URI
//     of a signature keeps the path exactly as sent: double slashes stay,
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
//   - A request for an S3 feature that is not built (versioning, multipart,
//     tagging, encryption headers, conditional writes, copies and other
//     sub-resources) gets 501 NotImplemented, never a silently wrong
//     answer.
//   - /strata/health/live and /strata/health/ready answer without
//     authentication; the bucket name "strata" is therefore reserved and
//     refused with InvalidBucketName.
package s3api
