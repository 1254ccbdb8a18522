// Package policy reads and evaluates AWS IAM policy documents: the bucket
// policies clients store with PutBucketPolicy and the identity policies
// attached to access keys. It owns the policy grammar (what Parse accepts
// and why it refuses the rest) and the decision one policy reaches for one
// request. It knows nothing about HTTP, keys or buckets: storaged/s3api
// builds a Request from each S3 request, asks each policy that applies, and
// combines the decisions.
//
// It lives under internal/ rather than in storaged because the control
// plane needs the same grammar: it validates a bucket's or an access key's
// policy when the resource is declared, so that `terraform apply` fails
// with the same words storaged would answer. Keeping one parser below both
// keeps the rule that the control plane and storaged never import each
// other. The package uses only the standard library and does no I/O.
//
// The grammar is AWS's: Version "2012-10-17" or "2008-10-17" (absent means
// "2008-10-17", under which policy variables stay literal text, as in AWS);
// Id; Statement as one object or an array; in each statement Sid, Effect,
// Principal or NotPrincipal, Action or NotAction, Resource or NotResource,
// and Condition. Parse refuses unknown elements, unknown condition
// operators, actions other than the S3 actions Strata serves (Actions),
// resources that are not S3 ARNs, and principal ARNs that are not ARNs; a
// refusal is a *ParseError that lists every problem with its JSON path.
// Principals are "*" or {"AWS": "*" | ARN | [ARN, ...]}; other principal
// types (Service, Federated, CanonicalUser) are refused, since Strata has
// none of them.
//
// Matching: action names are compared without regard to case, resources
// and ARNs with it; '*' matches any run of characters and '?' any one.
// Policy variables (${aws:username}, ${s3:prefix}, ${*}, ${?}, ${$}, ...)
// are replaced in resources and in String and Arn condition values with
// the request's context; a replaced value is literal text, never a
// wildcard. A statement whose resource names a variable the request lacks
// does not apply; a condition value that names a missing variable matches
// nothing.
//
// Conditions follow AWS's documented semantics: several operators in one
// block, and several keys under one operator, must all hold; several values
// for one key hold when any holds (when none holds, for the negated
// operators such as StringNotEquals). A key the request lacks makes a
// positive operator false and a negated one true; the IfExists suffix makes
// either true. ForAnyValue holds when some request value holds (false for
// a missing key), ForAllValues when every request value holds (true for a
// missing key). Condition keys are matched without regard to case.
//
// Evaluate gives the decision of one policy: ExplicitDeny when a Deny
// statement applies, else Allow when an Allow statement applies, else
// NoMatch. Combining decisions across policies, and deciding that the root
// key bypasses policies, is the caller's job (see storaged/s3api).
//
// The package holds no state: a Policy is immutable once parsed and safe
// for concurrent use. It never logs.
package policy
