package testkube

import (
	"context"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// grantTimeout bounds the wait for the RBAC authorizer to see a new grant.
const grantTimeout = 30 * time.Second

// GrantSecretRead lets user get Secrets in namespace, with a Role and a
// RoleBinding both named strata-secret-read-<user>, and returns once the
// server's authorizer allows it. The namespace must exist.
func (c *Cluster) GrantSecretRead(t testing.TB, user, namespace string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), grantTimeout)
	defer cancel()
	name := "strata-secret-read-" + user
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""},
			Resources: []string{"secrets"},
			Verbs:     []string{"get"},
		}},
	}
	if _, err := c.Client.RbacV1().Roles(namespace).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating Role %s/%s: %v", namespace, name, err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: user}},
	}
	bindings := c.Client.RbacV1().RoleBindings(namespace)
	if _, err := bindings.Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating RoleBinding %s/%s: %v", namespace, name, err)
	}
	c.waitAllowed(ctx, t, user, namespace)
}

// waitAllowed asks the server, with SubjectAccessReviews, until it allows
// user to get Secrets in namespace: the RBAC authorizer reads Roles from a
// cache that lags their creation.
func (c *Cluster) waitAllowed(ctx context.Context, t testing.TB, user, namespace string) {
	t.Helper()
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: user,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: namespace, Verb: "get", Resource: "secrets",
		},
	}}
	reviews := c.Client.AuthorizationV1().SubjectAccessReviews()
	for {
		got, err := reviews.Create(ctx, review, metav1.CreateOptions{})
		if err == nil && got.Status.Allowed {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the server did not allow %s to get secrets in %s within %v (last error: %v)",
				user, namespace, grantTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
