package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// kind holds the rules of one resource kind; its methods are the generic
// handlers that every kind shares.
type kind[T any, S any, P registry.Ptr[T, S]] struct {
	s    *Server
	name string
	// key returns the store name of the item the request addresses.
	key func(r *http.Request) string
	// prefix returns the store-name prefix of the collection the request
	// lists, or an error when the parent is missing.
	prefix func(r *http.Request) (string, *apiError)
	// prepare fills in the spec's server-side values and returns every
	// violation of the request (400).
	prepare func(r *http.Request, spec *S) model.Violations
	// admit checks a valid spec against the current state; old is nil on
	// create. It may fill in write-only fields that the request left out
	// from old, so that a read-modify-write keeps them.
	admit func(ctx context.Context, r *http.Request, old P, spec *S) *apiError
	// canDelete checks that the item may be deleted now.
	canDelete func(ctx context.Context, r *http.Request, obj P) *apiError
	// hideFromReaders, when set, clears what a reader token must not see,
	// such as a tenant's root keys, on its way out of a GET or a list.
	hideFromReaders func(obj P)
	// redact, when set, clears the write-only fields of an item on its way
	// out, so that no answer carries them.
	redact func(obj P)
}

const (
	defaultPageSize = 100
	maxPageSize     = 1000
	maxBodyBytes    = 1 << 20
)

func (k *kind[T, S, P]) load(ctx context.Context, key string) (P, int64, *apiError) {
	obj, rev, err := registry.Get[T, S, P](ctx, k.s.cfg.Store, k.name, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, 0, notFound(k.name, lastSegment(key))
	case err != nil:
		return nil, 0, internal(err)
	}
	return obj, rev, nil
}

func (k *kind[T, S, P]) get(w http.ResponseWriter, r *http.Request) {
	obj, _, e := k.load(r.Context(), k.key(r))
	if e != nil {
		writeError(w, r, e)
		return
	}
	k.hideFrom(r, obj)
	k.writeObject(w, http.StatusOK, obj)
}

// hideFrom clears what the request's token may not see of obj.
func (k *kind[T, S, P]) hideFrom(r *http.Request, obj P) {
	if k.hideFromReaders != nil && isReader(r) {
		k.hideFromReaders(obj)
	}
}

func (k *kind[T, S, P]) list(w http.ResponseWriter, r *http.Request) {
	prefix, e := k.prefix(r)
	if e == nil {
		e = k.writePage(w, r, prefix)
	}
	if e != nil {
		writeError(w, r, e)
	}
}

func (k *kind[T, S, P]) writePage(w http.ResponseWriter, r *http.Request, prefix string) *apiError {
	size, after, e := pageParams(r)
	if e != nil {
		return e
	}
	items, err := registry.List[T, S, P](r.Context(), k.s.cfg.Store, k.name, prefix,
		prefix+after, size+1)
	if err != nil {
		return internal(err)
	}
	for _, obj := range items {
		k.output(obj)
		k.hideFrom(r, obj)
	}
	page := model.List[P]{Items: items}
	if len(items) > size {
		page.Items = items[:size]
		last := page.Items[size-1].Meta().Name
		page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func pageParams(r *http.Request) (int, string, *apiError) {
	var v model.Violations
	size := defaultPageSize
	if s := r.URL.Query().Get("pageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			v.Add("pageSize", "%q is not a page size: use 1 to %d", s, maxPageSize)
		}
		size = n
	}
	after, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("pageToken"))
	if err != nil {
		v.Add("pageToken", "is not a token this API returned: pass nextPageToken unchanged")
	}
	if len(v) > 0 {
		return 0, "", invalid(v)
	}
	return size, string(after), nil
}

func (k *kind[T, S, P]) put(w http.ResponseWriter, r *http.Request) {
	code, obj, e := k.apply(r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	k.writeObject(w, code, obj)
}

func (k *kind[T, S, P]) apply(r *http.Request) (int, P, *apiError) {
	var req model.PutRequest[S]
	if e := decodeBody(r, &req); e != nil {
		return 0, nil, e
	}
	v := k.prepare(r, &req.Spec)
	if req.Metadata != nil {
		model.ValidateLabels(&v, "metadata.labels", req.Metadata.Labels)
	}
	if len(v) > 0 {
		return 0, nil, invalid(v)
	}
	var code int
	var obj P
	e := retryLostRaces(r, func() *apiError {
		var e *apiError
		code, obj, e = k.applySpec(r, req)
		return e
	})
	return code, obj, e
}

// applySpec writes a decoded, valid request over what is stored now.
func (k *kind[T, S, P]) applySpec(r *http.Request, req model.PutRequest[S]) (int, P, *apiError) {
	ctx, key := r.Context(), k.key(r)
	old, rev, e := k.load(ctx, key)
	if e != nil && e.code != http.StatusNotFound {
		return 0, nil, e
	}
	var oldMeta *model.Metadata
	if old != nil {
		oldMeta = old.Meta()
	}
	if e := checkWritable(r, oldMeta, rev); e != nil {
		return 0, nil, e
	}
	if e := k.admit(ctx, r, old, &req.Spec); e != nil {
		return 0, nil, e
	}
	var labels map[string]string
	if req.Metadata != nil {
		labels = req.Metadata.Labels
	}
	if old != nil && reflect.DeepEqual(*old.SpecRef(), req.Spec) &&
		maps.Equal(old.Meta().Labels, labels) {
		return http.StatusOK, old, nil
	}
	return k.store(ctx, key, old, rev, req.Spec, labels)
}

// checkWritable checks If-Match and that the item (old, nil when missing)
// is not being deleted.
func checkWritable(r *http.Request, old *model.Metadata, rev int64) *apiError {
	if e := checkIfMatch(r, old != nil, rev); e != nil {
		return e
	}
	if old != nil && old.DeleteTime != nil {
		return errorf(http.StatusConflict, model.ErrAborted,
			"%q is being deleted: wait until a GET answers 404, then create it again",
			old.Name)
	}
	return nil
}

func (k *kind[T, S, P]) store(ctx context.Context, key string, old P, rev int64, spec S,
	labels map[string]string) (int, P, *apiError) {
	now := k.s.cfg.Now().UTC()
	obj, code, want := old, http.StatusOK, rev
	if obj == nil {
		obj, code, want = P(new(T)), http.StatusCreated, store.MustNotExist
		*obj.Meta() = model.Metadata{Name: lastSegment(key), UID: newUID(), CreateTime: now}
	}
	m := obj.Meta()
	m.Generation++
	m.Labels = labels
	m.UpdateTime = now
	*obj.SpecRef() = spec
	*obj.Conds() = obj.Conds().Set(model.Condition{
		Type: model.ConditionReconciling, Status: model.StatusTrue,
		Reason: "SpecChanged", Message: "the control plane is applying the new spec",
		ObservedGeneration: m.Generation,
	}, now)
	_, err := registry.Put[T, S, P](ctx, k.s.cfg.Store, k.name, key, obj, want)
	if errors.Is(err, store.ErrConflict) {
		e := errorf(http.StatusConflict, model.ErrAborted,
			"%s %q was changed by another request at the same time: read it again and retry",
			k.name, m.Name)
		e.lostRace = true
		return 0, nil, e
	} else if err != nil {
		return 0, nil, internal(err)
	}
	k.s.cfg.Notifier.Notify(k.name, key)
	return code, obj, nil
}

func (k *kind[T, S, P]) delete(w http.ResponseWriter, r *http.Request) {
	ctx, key := r.Context(), k.key(r)
	var obj P
	e := retryLostRaces(r, func() *apiError {
		var rev int64
		var e *apiError
		obj, rev, e = k.load(ctx, key)
		if e == nil {
			e = checkIfMatch(r, true, rev)
		}
		if e == nil && obj.Meta().DeleteTime == nil {
			e = k.markDeleted(ctx, r, key, obj, rev)
		}
		return e
	})
	if e != nil {
		writeError(w, r, e)
		return
	}
	k.s.cfg.Notifier.Notify(k.name, key)
	k.writeObject(w, http.StatusAccepted, obj)
}

func (k *kind[T, S, P]) markDeleted(ctx context.Context, r *http.Request, key string,
	obj P, rev int64) *apiError {
	if e := k.canDelete(ctx, r, obj); e != nil {
		return e
	}
	now := k.s.cfg.Now().UTC()
	obj.Meta().DeleteTime = &now
	*obj.Conds() = obj.Conds().Set(model.Condition{
		Type: model.ConditionReconciling, Status: model.StatusTrue,
		Reason: "Deleting", Message: "the control plane is deleting this resource",
		ObservedGeneration: obj.Meta().Generation,
	}, now)
	if obj.Conds().Get(model.ConditionDeleteRefused) != nil {
		*obj.Conds() = obj.Conds().Set(model.Condition{
			Type: model.ConditionDeleteRefused, Status: model.StatusFalse,
			Reason: "DeleteRequested", ObservedGeneration: obj.Meta().Generation,
		}, now)
	}
	_, err := registry.Put[T, S, P](ctx, k.s.cfg.Store, k.name, key, obj, rev)
	if errors.Is(err, store.ErrConflict) {
		e := errorf(http.StatusConflict, model.ErrAborted,
			"%s %q was changed by another request at the same time: retry the delete",
			k.name, obj.Meta().Name)
		e.lostRace = true
		return e
	} else if err != nil {
		return internal(err)
	}
	return nil
}

// raceRetries bounds how often a write is tried again after another write
// (most often a reconciler's status update) got in between its read and
// its write.
const raceRetries = 10

// retryLostRaces runs attempt again while it loses a race with another
// write, unless the client pinned the version it read with If-Match: a
// status update must not fail a user's request.
func retryLostRaces(r *http.Request, attempt func() *apiError) *apiError {
	for i := 0; ; i++ {
		e := attempt()
		if e == nil || !e.lostRace || r.Header.Get("If-Match") != "" || i == raceRetries {
			return e
		}
	}
}

func checkIfMatch(r *http.Request, exists bool, rev int64) *apiError {
	switch inm := r.Header.Get("If-None-Match"); {
	case inm == "*" && exists:
		return errorf(http.StatusPreconditionFailed, model.ErrFailedPrecondition,
			"it exists already, and If-None-Match: * asked to create it only: import it, "+
				"or give the new one another name")
	case inm != "" && inm != "*":
		return errorf(http.StatusBadRequest, model.ErrInvalidArgument,
			"If-None-Match %q: only * (create only) is understood", inm)
	}
	im := r.Header.Get("If-Match")
	if im == "" || (im == "*" && exists) {
		return nil
	}
	if want, ok := registry.ParseETag(im); !exists || !ok || want != rev {
		return errorf(http.StatusPreconditionFailed, model.ErrFailedPrecondition,
			"If-Match %s does not match the current ETag: read the resource again", im)
	}
	return nil
}

func decodeBody(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, model.ErrInvalidArgument,
			"the body is not a valid request: %s; send {\"spec\": {...}} as JSON", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		msg := "the body holds more than one JSON value: send one {\"spec\": {...}} object"
		if err != nil && !errors.As(err, new(*json.SyntaxError)) {
			msg = "the body is not a valid request: " + jsonProblem(err)
		}
		return errorf(http.StatusBadRequest, model.ErrInvalidArgument, "%s", msg)
	}
	return nil
}

// jsonProblem says what is wrong with a JSON body in the API's words, not
// Go's.
func jsonProblem(err error) string {
	var (
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
		size *http.MaxBytesError
	)
	switch {
	case errors.As(err, &size):
		return fmt.Sprintf("it is larger than %d bytes", size.Limit)
	case errors.As(err, &syn):
		return fmt.Sprintf("it is not JSON at byte %d (%s)", syn.Offset,
			strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %s must be a JSON %s, not %s",
			typ.Field, jsonTypeName(typ), typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("it must be a JSON object, not %s", typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it is empty or ends early"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonTypeName(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "array"
	}
	return "object"
}

// writeObject answers with one item, its ETag and nothing write-only.
func (k *kind[T, S, P]) writeObject(w http.ResponseWriter, code int, obj P) {
	w.Header().Set("ETag", obj.Meta().ETag)
	writeJSON(w, code, k.output(obj))
}

// output clears obj's write-only fields and returns it. obj must be a copy
// that is not written back to the store afterwards.
func (k *kind[T, S, P]) output(obj P) P {
	if k.redact != nil {
		k.redact(obj)
	}
	return obj
}

func internal(err error) *apiError {
	return errorf(http.StatusInternalServerError, model.ErrInternal,
		"the control plane failed: %v", err)
}

// lastSegment returns an item's name from its store name.
func lastSegment(key string) string { return key[strings.LastIndex(key, "/")+1:] }

func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
