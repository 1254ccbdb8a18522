package model

// Status words of an API error, one per HTTP status the API uses, after
// google.rpc.Code.
const (
	ErrInvalidArgument    = "INVALID_ARGUMENT"    // 400
	ErrUnauthenticated    = "UNAUTHENTICATED"     // 401
	ErrPermissionDenied   = "PERMISSION_DENIED"   // 403
	ErrNotFound           = "NOT_FOUND"           // 404
	ErrMethodNotAllowed   = "METHOD_NOT_ALLOWED"  // 405
	ErrAlreadyExists      = "ALREADY_EXISTS"      // 409
	ErrAborted            = "ABORTED"             // 409, concurrent change
	ErrFailedPrecondition = "FAILED_PRECONDITION" // 412 (etag) and 422 (state)
	ErrInternal           = "INTERNAL"            // 500
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: the HTTP code, a status word, a message
// a person can act on, and every field violation with its path.
type ErrorDetail struct {
	Code       int        `json:"code"`
	Status     string     `json:"status"`
	Message    string     `json:"message"`
	Violations Violations `json:"violations,omitempty"`
	RequestID  string     `json:"requestId,omitempty"`
}

// PutRequest is the body of a PUT on any resource.
type PutRequest[S any] struct {
	Metadata *PutMetadata `json:"metadata,omitempty"`
	Spec     S            `json:"spec"`
}

// PutMetadata is the part of the metadata a client may set.
type PutMetadata struct {
	Labels map[string]string `json:"labels,omitempty"`
}

// List is the body of a list response.
type List[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"nextPageToken,omitempty"`
}
