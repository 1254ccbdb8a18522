package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/strata-storage/strata/controlplane/model"
)

// apiError is an error answer on its way to the client.
type apiError struct {
	code       int
	status     string
	message    string
	violations model.Violations
	// lostRace marks a write that another write overtook between its read
	// and its own write; it may be tried again.
	lostRace bool
}

func (e *apiError) Error() string { return e.message }

func errorf(code int, status, format string, args ...any) *apiError {
	return &apiError{code: code, status: status, message: fmt.Sprintf(format, args...)}
}

func invalid(v model.Violations) *apiError {
	return &apiError{
		code:       http.StatusBadRequest,
		status:     model.ErrInvalidArgument,
		message:    "the request is invalid: " + v.Error(),
		violations: v,
	}
}

// unprocessable is a valid request that cannot be done in the current
// state or by this build (422).
func unprocessable(v model.Violations) *apiError {
	return &apiError{
		code:       http.StatusUnprocessableEntity,
		status:     model.ErrFailedPrecondition,
		message:    "the request cannot be carried out: " + v.Error(),
		violations: v,
	}
}

func notFound(kind, name string) *apiError {
	return errorf(http.StatusNotFound, model.ErrNotFound, "%s %q not found", kind, name)
}

func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	body := model.ErrorBody{Error: model.ErrorDetail{
		Code:       e.code,
		Status:     e.status,
		Message:    e.message,
		Violations: e.violations,
		RequestID:  requestID(r.Context()),
	}}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
