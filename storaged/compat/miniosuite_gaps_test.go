package compat

import "fmt"

// Why tests of minio-go's functional suite do not pass yet. "not built
// yet" is work that is coming; "by design" is Strata's choice, written in
// storaged/s3api's package documentation; "to fix" and "to decide" are
// interoperability faults found here, for the S3 API's owners.
const (
	whyVersionID = "by design: a version ID of a shape Strata never gives (minio-go sends a " +
		"UUID) is InvalidArgument, as AWS answers a malformed one; the suite wants MinIO's " +
		"NoSuchVersion"
	whySSE         = "server-side encryption (SSE-C, SSE-S3) not built yet"
	whyConditional = "by design: If-None-Match with an ETag on PutObject gets NotImplemented; " +
		"S3's conditional writes take only If-None-Match: *"
	whySigV2  = "Signature Version 2 refused by design (SigV4 only)"
	whyRegion = "one region per server by design: a request signed for eu-central-1 gets " +
		"AuthorizationHeaderMalformed, as on AWS"
	whyACL = "ACLs refused by design, as on AWS buckets with Object Ownership " +
		"BucketOwnerEnforced (AWS's default)"
	whyS3Zip         = "s3zip is a MinIO extension"
	whyNotify        = "needs a notification target; the suite skips it without one"
	whyUploadListing = "by design, as AWS answers: ListMultipartUploads names each upload's " +
		"Owner, Initiator and STANDARD storage class, and a key-marker without an " +
		"upload-id-marker lists only the keys after it; the suite compares with MinIO's " +
		"answer (no owner, no class, the marker key's own uploads), once per listing"
	wantUploadListing = "ListMultipartUploads-"
	wantNA            = "NA in"
	wantSigV2         = `("AWS") is not supported`
	wantRegion        = "the region 'eu-central-1' is wrong"
)

// minioSuiteGaps are the results of minio-go's functional suite known not
// to pass yet, in the order the suite logs them. NA results (the server
// answered NotImplemented) must stay NA; FAIL results must fail with the
// text given.
func minioSuiteGaps() []gap {
	gaps := []gap{
		{"testCopyObjectWithChecksums", whySigV2, wantSigV2},
		{"testReplaceObjectWithChecksums", whySigV2, wantSigV2},
		{"testListMultipartUpload", whyUploadListing, wantUploadListing},
		{"testGetObjectAttributesErrorCases", whyVersionID,
			"expected NoSuchVersion but got InvalidArgument"},
		{"testMakeBucketErrorV2", whySigV2, wantSigV2},
		{"testGetObjectClosedTwiceV2", whySigV2, wantSigV2},
		{"testFPutObjectV2", whySigV2, wantSigV2},
		{"testMakeBucketRegionsV2", whySigV2, wantSigV2},
		{"testGetObjectReadSeekFunctionalV2", whySigV2, wantSigV2},
		{"testGetObjectReadAtFunctionalV2", whySigV2, wantSigV2},
		{"testCopyObjectV2", whySigV2, wantSigV2},
		{"testFunctionalV2", whySigV2, wantSigV2},
		{"testComposeObjectErrorCasesWrapper", whySigV2, wantSigV2},
		{"testComposeMultipleSources", whySigV2, wantSigV2},
		{"testUserMetadataCopyingWrapper", whySigV2, wantSigV2},
		{"testPutObject0ByteV2", whySigV2, wantSigV2},
		{"testPutObjectMetadataNonUSASCIIV2", whySigV2, wantSigV2},
		{"testPutObjectNoLengthV2", whySigV2, wantSigV2},
		{"testPutObjectsUnknownV2", whySigV2, wantSigV2},
		{"testGetObjectContextV2", whySigV2, wantSigV2},
		{"testFPutObjectContextV2", whySigV2, wantSigV2},
		{"testFGetObjectContextV2", whySigV2, wantSigV2},
		{"testPutObjectContextV2", whySigV2, wantSigV2},
		{"testMakeBucketError", whyRegion, wantRegion},
		{"testMakeBucketRegions", whyRegion, wantRegion},
		{"testPutObjectPreconditionOnNonExistent", whyConditional, wantNA},
		{"testGetObjectS3Zip", whyS3Zip, wantNA},
		{"testBucketNotification", whyNotify, wantNA},
		{"testGetObjectACLContext", whyACL, "does not allow ACLs"},
		{"testGetObjectAttributesSSECEncryption", whySSE, wantNA},
		{"testSSECEncryptionPutGet", whySSE, wantNA},
		{"testSSECEncryptionFPut", whySSE, wantNA},
		{"testSSECEncryptedGetObjectReadAtFunctional", whySSE, wantNA},
		{"testSSECEncryptedGetObjectReadSeekFunctional", whySSE, wantNA},
		{"testEncryptedCopyObjectV2", whySigV2, wantSigV2},
		{"testEncryptedSSECToSSECCopyObject", whySSE, wantNA},
		{"testEncryptedSSECToUnencryptedCopyObject", whySSE, wantNA},
		{"testUnencryptedToSSECCopyObject", whySSE, wantNA},
		{"testEncryptedEmptyObject", whySSE, wantNA},
		{"testDecryptedCopyObject", whySSE, wantNA},
		{"testSSECEncryptedToSSECCopyObjectPart", whySSE, wantNA},
		{"testSSECMultipartEncryptedToSSECCopyObjectPart", whySSE, wantNA},
		{"testSSECEncryptedToUnencryptedCopyPart", whySSE, wantNA},
		{"testUnencryptedToSSECCopyObjectPart", whySSE, wantNA},
		{"testEncryptedSSECToSSES3CopyObject", whySSE, wantNA},
		{"testEncryptedSSES3ToSSECCopyObject", whySSE, wantNA},
		{"testSSECEncryptedToSSES3CopyObjectPart", whySSE, wantNA},
		{"testSSES3EncryptedToSSECCopyObjectPart", whySSE, wantNA},
	}
	return append(gaps, repeatedGaps("testListMultipartUpload", uploadListingResults,
		whyUploadListing, wantUploadListing)...)
}

// uploadListingResults is how many failures testListMultipartUpload
// logs: two listings, five times, for each of its five uploads.
const uploadListingResults = 2 * 5 * 5

// repeatedGaps are the gaps of results 2 to n of a test that logs one
// failure per check and carries on.
func repeatedGaps(test string, n int, why, want string) []gap {
	out := make([]gap, 0, n-1)
	for i := 2; i <= n; i++ {
		out = append(out, gap{fmt.Sprintf("%s (result %d)", test, i), why, want})
	}
	return out
}
