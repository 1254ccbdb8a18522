package s3api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// lifecycleLayer is the fake layer with the lifecycle capability.
type lifecycleLayer struct {
	*fakeLayer
	mu   sync.Mutex
	docs map[string][]byte
}

var _ object.BucketLifecycleStore = (*lifecycleLayer)(nil)

func (l *lifecycleLayer) PutBucketLifecycle(ctx context.Context, bucket string,
	doc []byte) error {
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(doc) == 0 {
		delete(l.docs, bucket)
		return nil
	}
	l.docs[bucket] = append([]byte(nil), doc...)
	return nil
}

func (l *lifecycleLayer) BucketLifecycle(ctx context.Context, bucket string) ([]byte, error) {
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if d, ok := l.docs[bucket]; ok {
		return append([]byte(nil), d...), nil
	}
	return nil, nil
}

// newLifecycleHandler returns a handler over a fake layer with lifecycle
// and the bucket "bkt".
func newLifecycleHandler(t *testing.T) *Handler {
	t.Helper()
	layer := &lifecycleLayer{fakeLayer: newFakeLayer(), docs: map[string][]byte{}}
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

const testLifecycle = `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>
<Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`

func TestBucketLifecycleRoundTrip(t *testing.T) {
	t.Parallel()
	h := newLifecycleHandler(t)
	get := func() *http.Request {
		return signedRequest(t, http.MethodGet, "/bkt?lifecycle", nil, signOptions{})
	}
	mustStatus(t, do(h, get()), http.StatusNotFound, "NoSuchLifecycleConfiguration")

	w := do(h, signedRequest(t, http.MethodPut, "/bkt?lifecycle", []byte(testLifecycle),
		signOptions{}))
	mustStatus(t, w, http.StatusOK, "")
	w = do(h, get())
	mustStatus(t, w, http.StatusOK, "")
	for _, want := range []string{"<ID>logs</ID>", "<Prefix>logs/</Prefix>", "<Days>30</Days>"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("GET body: got %s, want it to hold %s", w.Body.String(), want)
		}
	}

	w = do(h, signedRequest(t, http.MethodDelete, "/bkt?lifecycle", nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	mustStatus(t, do(h, get()), http.StatusNotFound, "NoSuchLifecycleConfiguration")
}

func TestPutBucketLifecycleRefusals(t *testing.T) {
	t.Parallel()
	transition := `<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status>` +
		`<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>` +
		`</Rule></LifecycleConfiguration>`
	tests := []struct {
		name   string
		target string
		body   string
		status int
		code   string
	}{
		{"a body that is not XML is MalformedXML", "/bkt?lifecycle", "<Life",
			http.StatusBadRequest, "MalformedXML"},
		{"a rule without action is InvalidArgument", "/bkt?lifecycle",
			`<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status></Rule>` +
				`</LifecycleConfiguration>`, http.StatusBadRequest, "InvalidArgument"},
		{"a transition is NotImplemented", "/bkt?lifecycle", transition,
			http.StatusNotImplemented, "NotImplemented"},
		{"a missing bucket is NoSuchBucket", "/nobkt?lifecycle", testLifecycle,
			http.StatusNotFound, "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newLifecycleHandler(t)
			w := do(h, signedRequest(t, http.MethodPut, tt.target, []byte(tt.body),
				signOptions{}))
			mustStatus(t, w, tt.status, tt.code)
		})
	}
}

func TestLifecycleOnALayerWithoutItIsNotImplemented(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	w := do(h, signedRequest(t, http.MethodPut, "/bkt?lifecycle", []byte(testLifecycle),
		signOptions{}))
	mustStatus(t, w, http.StatusNotImplemented, "NotImplemented")
}
