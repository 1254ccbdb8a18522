package s3api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/strata-storage/strata/storaged/object"
)

// apiError is an S3 error answer: an HTTP status, an S3 code and a message
// a person can act on, plus the optional elements AWS adds for some codes.
type apiError struct {
	status  int
	code    string
	message string
	fields  errorFields
	// cause is the underlying error of an InternalError; it is logged,
	// never sent.
	cause error
	// header holds headers the answer carries besides the error body.
	header http.Header
}

// errorFields are the optional elements of an S3 error body.
type errorFields struct {
	Region                     string `xml:",omitempty"`
	AWSAccessKeyID             string `xml:"AWSAccessKeyId,omitempty"`
	StringToSign               string `xml:",omitempty"`
	CanonicalRequest           string `xml:",omitempty"`
	SignatureProvided          string `xml:",omitempty"`
	RequestTime                string `xml:",omitempty"`
	ServerTime                 string `xml:",omitempty"`
	MaxAllowedSkewMilliseconds string `xml:",omitempty"`
	HeadersNotSigned           string `xml:",omitempty"`
	ArgumentName               string `xml:",omitempty"`
	ArgumentValue              string `xml:",omitempty"`
	RangeRequested             string `xml:",omitempty"`
	ActualObjectSize           string `xml:",omitempty"`
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("s3api: %s: %s: %v", e.code, e.message, e.cause)
	}
	return "s3api: " + e.code + ": " + e.message
}

func (e *apiError) Unwrap() error { return e.cause }

// newError builds an error with the status and default message S3 uses for
// code. An unknown code is a programming error and becomes InternalError.
func newError(code string) *apiError {
	status, message := errorDefaults(code)
	return &apiError{status: status, code: code, message: message}
}

// errorf builds an error with code's status and a message of our own.
func errorf(code, format string, args ...any) *apiError {
	e := newError(code)
	e.message = fmt.Sprintf(format, args...)
	return e
}

// errorDefaults returns the HTTP status and AWS's message for an S3 code.
func errorDefaults(code string) (int, string) {
	switch code {
	case "AccessDenied":
		return http.StatusForbidden, "Access Denied"
	case "AccessControlListNotSupported":
		return http.StatusBadRequest, "The bucket does not allow ACLs."
	case "AuthorizationQueryParametersError":
		return http.StatusBadRequest, "Error parsing the query-string authentication parameters."
	case "AuthorizationHeaderMalformed":
		return http.StatusBadRequest, "The authorization header is malformed."
	case "BadDigest":
		return http.StatusBadRequest,
			"The Content-MD5 or checksum you specified did not match what we received."
	case "BucketAlreadyOwnedByYou":
		return http.StatusConflict, "Your previous request to create the named bucket " +
			"succeeded and you already own it."
	case "BucketNotEmpty":
		return http.StatusConflict, "The bucket you tried to delete is not empty."
	case "EntityTooSmall":
		return http.StatusBadRequest,
			"Your proposed upload is smaller than the minimum allowed object size."
	case "EntityTooLarge":
		return http.StatusBadRequest,
			"Your proposed upload exceeds the maximum allowed object size."
	case "IllegalLocationConstraintException":
		return http.StatusBadRequest, "The location constraint is incompatible " +
			"for the region specific endpoint this request was sent to."
	case "IncompleteBody":
		return http.StatusBadRequest, "You did not provide the number of bytes " +
			"specified by the Content-Length HTTP header."
	case "InternalError":
		return http.StatusInternalServerError,
			"We encountered an internal error. Please try again."
	case "InvalidAccessKeyId":
		return http.StatusForbidden,
			"The AWS Access Key Id you provided does not exist in our records."
	case "InvalidArgument":
		return http.StatusBadRequest, "Invalid Argument"
	case "InvalidBucketName":
		return http.StatusBadRequest, "The specified bucket is not valid."
	case "InvalidDigest":
		return http.StatusBadRequest, "The Content-MD5 you specified is not valid."
	case "InvalidPart":
		return http.StatusBadRequest, "One or more of the specified parts could not be found. " +
			"The part may not have been uploaded, or the specified entity tag may not match " +
			"the part's entity tag."
	case "InvalidPartNumber":
		return http.StatusRequestedRangeNotSatisfiable,
			"The requested partnumber is not satisfiable"
	case "InvalidPartOrder":
		return http.StatusBadRequest, "The list of parts was not in ascending order. The parts " +
			"list must be specified in order by part number."
	case "InvalidRange":
		return http.StatusRequestedRangeNotSatisfiable,
			"The requested range is not satisfiable"
	case "InvalidRequest":
		return http.StatusBadRequest, "Invalid Request"
	case "InvalidStorageClass":
		return http.StatusBadRequest,
			"The storage class you specified is not valid."
	case "InvalidTag":
		return http.StatusBadRequest, "The tag provided was not a valid tag."
	case "KeyTooLongError":
		return http.StatusBadRequest, "Your key is too long"
	case "MalformedTrailerError":
		return http.StatusBadRequest, "The request contained trailing data that " +
			"was not well-formed or did not conform to our published schema."
	case "MalformedXML":
		return http.StatusBadRequest, "The XML you provided was not well-formed " +
			"or did not validate against our published schema."
	case "MetadataTooLarge":
		return http.StatusBadRequest, "Your metadata headers exceed the maximum " +
			"allowed metadata size."
	case "MissingContentLength":
		return http.StatusLengthRequired, "You must provide the Content-Length HTTP header."
	case "MethodNotAllowed":
		return http.StatusMethodNotAllowed,
			"The specified method is not allowed against this resource."
	case "NoSuchBucket":
		return http.StatusNotFound, "The specified bucket does not exist"
	case "NoSuchKey":
		return http.StatusNotFound, "The specified key does not exist."
	case "NoSuchTagSet":
		return http.StatusNotFound, "The TagSet does not exist"
	case "NoSuchVersion":
		return http.StatusNotFound, "The specified version does not exist."
	case "NoSuchUpload":
		return http.StatusNotFound, "The specified upload does not exist. The upload ID may be " +
			"invalid, or the upload may have been aborted or completed."
	case "NotImplemented":
		return http.StatusNotImplemented, "A header or query you provided " +
			"implies functionality that is not implemented."
	case "PreconditionFailed":
		return http.StatusPreconditionFailed,
			"At least one of the pre-conditions you specified did not hold"
	case "RequestTimeTooSkewed":
		return http.StatusForbidden, "The difference between the request time " +
			"and the current time is too large."
	case "ServiceUnavailable":
		return http.StatusServiceUnavailable,
			"Not enough drives answered; please retry."
	case "SignatureDoesNotMatch":
		return http.StatusForbidden, "The request signature we calculated does " +
			"not match the signature you provided. Check your key and signing method."
	case "XAmzContentSHA256Mismatch":
		return http.StatusBadRequest, "The provided 'x-amz-content-sha256' header " +
			"does not match what was computed."
	}
	return http.StatusInternalServerError, "We encountered an internal error. Please try again."
}

// errNotImplemented names the feature a request asked for.
func errNotImplemented(what string) *apiError {
	return errorf("NotImplemented", "%s is not implemented by Strata yet.", what)
}

// toAPIError maps any error from a handler, a body reader or the object
// layer to the S3 error it answers with.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var dm *object.DeleteMarkerError
	if errors.As(err, &dm) {
		return deleteMarkerError(dm)
	}
	if code, ok := layerErrorCode(err); ok {
		e := newError(code)
		switch {
		case errors.Is(err, object.ErrInvalidObjectName) && code == "InvalidArgument":
			e.message = "The object key is not valid: it must be non-empty UTF-8."
		case errors.Is(err, object.ErrInvalidPartNumber):
			e.message = "Part number must be an integer between 1 and 10000, inclusive"
		case errors.Is(err, object.ErrInvalidVersionID):
			e.message = "Invalid version id specified"
		}
		return e
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return newError("EntityTooLarge")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newError("IncompleteBody")
	case errors.Is(err, context.Canceled):
		return &apiError{status: 499, code: "RequestCanceled",
			message: "The client closed the request.", cause: err}
	}
	ie := newError("InternalError")
	ie.cause = err
	return ie
}

// deleteMarkerError answers a read that found a delete marker as S3 does:
// 404 NoSuchKey for the current version, 405 MethodNotAllowed for a named
// one, both with x-amz-delete-marker and the marker's version ID.
func deleteMarkerError(dm *object.DeleteMarkerError) *apiError {
	e := newError("MethodNotAllowed")
	if dm.Latest {
		e = newError("NoSuchKey")
	}
	e.header = http.Header{"X-Amz-Delete-Marker": {"true"}}
	setVersionHeader(e.header, "X-Amz-Version-Id", dm.VersionID)
	return e
}

// layerErrorCode returns the S3 code for a sentinel error of the object
// layer.
func layerErrorCode(err error) (string, bool) {
	table := []struct {
		sentinel error
		code     string
	}{
		{object.ErrBucketNotFound, "NoSuchBucket"},
		{object.ErrBucketExists, "BucketAlreadyOwnedByYou"},
		{object.ErrBucketNotEmpty, "BucketNotEmpty"},
		{object.ErrInvalidBucketName, "InvalidBucketName"},
		{object.ErrObjectNotFound, "NoSuchKey"},
		{object.ErrKeyTooLong, "KeyTooLongError"},
		{object.ErrInvalidObjectName, "InvalidArgument"},
		{object.ErrInvalidRange, "InvalidRange"},
		{object.ErrReadQuorum, "ServiceUnavailable"},
		{object.ErrWriteQuorum, "ServiceUnavailable"},
		{object.ErrIncompleteBody, "IncompleteBody"},
		{object.ErrNoSuchUpload, "NoSuchUpload"},
		{object.ErrInvalidPartOrder, "InvalidPartOrder"},
		{object.ErrInvalidPart, "InvalidPart"},
		{object.ErrEntityTooSmall, "EntityTooSmall"},
		{object.ErrPreconditionFailed, "PreconditionFailed"},
		{object.ErrInvalidPartNumber, "InvalidArgument"},
		{object.ErrVersionNotFound, "NoSuchVersion"},
		{object.ErrInvalidVersionID, "InvalidArgument"},
		{object.ErrInvalidVersioning, "MalformedXML"},
		{object.ErrDeleteMarker, "MethodNotAllowed"},
	}
	for _, t := range table {
		if errors.Is(err, t.sentinel) {
			return t.code, true
		}
	}
	return "", false
}
