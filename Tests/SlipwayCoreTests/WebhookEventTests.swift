import Foundation
import SlipwayCore
import Testing

/// Deliveries shaped as each provider documents them (trimmed of the repository, sender and link objects that
/// play no part, but with enough of them left to show that extra fields are ignored).
@Suite("Webhook events")
struct WebhookEventTests {
    static func parse(_ provider: GitProvider, _ event: String, _ body: String) throws -> WebhookEvent {
        try WebhookEvent.parse(provider: provider, event: event, body: Data(body.utf8))
    }

    /// The error a delivery is refused with.
    static func refusal(_ provider: GitProvider, _ event: String, _ body: String) -> SlipwayError? {
        #expect(throws: SlipwayError.self) { try parse(provider, event, body) }
    }

    static let zeros = String(repeating: "0", count: 40)

    // MARK: - GitHub

    static let githubBranchPush = #"""
        {
          "ref": "refs/heads/main",
          "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
          "after": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
          "repository": {"id": 1296269, "full_name": "octo-org/octo-repo", "private": true, "topics": []},
          "pusher": {"name": "octocat", "email": "mona@github.com"},
          "sender": {"login": "octocat", "id": 583231, "site_admin": false},
          "created": false,
          "deleted": false,
          "forced": false,
          "base_ref": null,
          "compare": "https://github.com/octo-org/octo-repo/compare/6113728f27ae...0d1a26e67d8f",
          "commits": [
            {
              "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
              "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
              "distinct": true,
              "message": "Fix the login page\n\nThe form posted to the old route.",
              "timestamp": "2024-05-02T12:40:11+02:00",
              "url": "https://github.com/octo-org/octo-repo/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
              "author": {"name": "Mona Lisa Octocat", "email": "mona@github.com", "username": "octocat"},
              "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
              "added": [], "removed": [], "modified": ["app/login.swift"]
            }
          ],
          "head_commit": {
            "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
            "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
            "distinct": true,
            "message": "Fix the login page\n\nThe form posted to the old route.",
            "timestamp": "2024-05-02T12:40:11+02:00",
            "url": "https://github.com/octo-org/octo-repo/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
            "author": {"name": "Mona Lisa Octocat", "email": "mona@github.com", "username": "octocat"},
            "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
            "added": [], "removed": [], "modified": ["app/login.swift"]
          }
        }
        """#

    @Test("GitHub: a push to a branch")
    func githubBranch() throws {
        let expected = WebhookPush(
            ref: .branch("main"), commitSha: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
            commitMessage: "Fix the login page\n\nThe form posted to the old route.",
            commitAuthor: "Mona Lisa Octocat <mona@github.com>")
        #expect(try Self.parse(.github, "push", Self.githubBranchPush) == .push(expected))
        #expect(!expected.deleted)
    }

    @Test("GitHub: an annotated tag, where `after` names the tag object and `head_commit` the commit")
    func githubTag() throws {
        let body = #"""
            {
              "ref": "refs/tags/v1.4.0",
              "before": "0000000000000000000000000000000000000000",
              "after": "5a8f2c1e0b9d4a7f3e6c2b1a0f9e8d7c6b5a4f3e",
              "created": true, "deleted": false, "forced": false,
              "base_ref": "refs/heads/main",
              "commits": [],
              "head_commit": {
                "id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
                "message": "Release 1.4",
                "author": {"name": "Mona Lisa Octocat", "email": "mona@github.com", "username": "octocat"}
              },
              "pusher": {"name": "octocat", "email": "mona@github.com"}
            }
            """#
        let expected = WebhookPush(
            ref: .tag("v1.4.0"), commitSha: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", commitMessage: "Release 1.4",
            commitAuthor: "Mona Lisa Octocat <mona@github.com>")
        #expect(try Self.parse(.github, "push", body) == .push(expected))
    }

    @Test("GitHub: a deleted branch has no commit")
    func githubDeletion() throws {
        let body = #"""
            {
              "ref": "refs/heads/feature/login",
              "before": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
              "after": "0000000000000000000000000000000000000000",
              "created": false, "deleted": true, "forced": false,
              "base_ref": null, "commits": [], "head_commit": null,
              "pusher": {"name": "octocat", "email": "mona@github.com"}
            }
            """#
        let event = try Self.parse(.github, "push", body)
        #expect(event == .push(WebhookPush(ref: .branch("feature/login"), commitSha: nil)))
        if case .push(let push) = event { #expect(push.deleted) }
        // `deleted` alone says so, whatever `after` holds.
        let flagged = #"{"ref": "refs/tags/v1", "deleted": true, "after": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"}"#
        #expect(try Self.parse(.github, "push", flagged) == .push(WebhookPush(ref: .tag("v1"), commitSha: nil)))
    }

    @Test("GitHub: ping, and events Slipway does not act on")
    func githubOtherEvents() throws {
        let ping =
            #"{"zen": "Keep it logically awesome.", "hook_id": 4242, "hook": {"type": "Repository", "events": ["push"]}}"#
        #expect(try Self.parse(.github, "ping", ping) == .ping)
        // Values of any kind and size in fields Slipway does not read are no reason to refuse a body.
        let odd = #"{"hook_id": 1e400, "zen": ["\u00e9", -0.5, true, null, {"nested": [[]]}], "hook": false}"#
        #expect(try Self.parse(.github, "ping", odd) == .ping)
        let pullRequest = #"{"action": "opened", "number": 2, "pull_request": {"head": {"ref": "feature"}}}"#
        #expect(try Self.parse(.github, "pull_request", pullRequest) == .unsupported("pull_request"))
        #expect(try Self.parse(.github, "issues", #"{"action": "closed"}"#) == .unsupported("issues"))
        // A branch created or deleted also arrives as a push; the `create` and `delete` events are not needed.
        #expect(try Self.parse(.github, "create", #"{"ref": "v1", "ref_type": "tag"}"#) == .unsupported("create"))
        let long = String(repeating: "x", count: 5000)
        #expect(try Self.parse(.github, long, "{}") == .unsupported(String(repeating: "x", count: 200)))
    }

    @Test("GitHub: the head commit's message and author are capped, the author made of what is known")
    func githubCaps() throws {
        let message = String(repeating: "m", count: 5000)
        let name = String(repeating: "n", count: 1000)
        let body = """
            {"ref": "refs/heads/main", "after": "0D1A26E67D8F5EAF1F6BA5C57FC3C7D91AC0FD1C",
             "head_commit": {"id": 42, "message": "\(message)", "author": {"name": "\(name)", "email": ""}}}
            """
        let expected = WebhookPush(
            ref: .branch("main"), commitSha: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
            commitMessage: String(repeating: "m", count: 2000), commitAuthor: String(repeating: "n", count: 320))
        #expect(try Self.parse(.github, "push", body) == .push(expected))

        let emailOnly = #"""
            {"ref": "refs/heads/main", "after": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
             "head_commit": {"id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "author": {"email": "mona@github.com"}}}
            """#
        let onlyEmail = WebhookPush(
            ref: .branch("main"), commitSha: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", commitAuthor: "mona@github.com"
        )
        #expect(try Self.parse(.github, "push", emailOnly) == .push(onlyEmail))
    }

    // MARK: - GitLab

    static let gitlabBranchPush = #"""
        {
          "object_kind": "push",
          "event_name": "push",
          "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
          "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
          "ref": "refs/heads/master",
          "ref_protected": true,
          "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
          "message": null,
          "user_id": 4,
          "user_name": "John Smith",
          "user_username": "jsmith",
          "user_email": "john@example.com",
          "project_id": 15,
          "project": {"id": 15, "name": "Diaspora", "path_with_namespace": "mike/diaspora", "default_branch": "master"},
          "commits": [
            {
              "id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
              "message": "fixed readme",
              "title": "fixed readme",
              "timestamp": "2012-01-03T23:36:29+02:00",
              "url": "http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
              "author": {"name": "GitLab dev user", "email": "gitlabdev@example.com"},
              "added": ["CHANGELOG"], "modified": ["app/controller/application.rb"], "removed": []
            },
            {
              "id": "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
              "message": "Update Catalan translation to e38cb41.\n\nSee the translation guide.",
              "title": "Update Catalan translation to e38cb41.",
              "timestamp": "2011-12-12T14:27:31+02:00",
              "url": "http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
              "author": {"name": "Jordi Mallach", "email": "jordi@softcatala.org"},
              "added": [], "modified": [], "removed": []
            }
          ],
          "total_commits_count": 4,
          "repository": {"name": "Diaspora", "url": "git@example.com:mike/diaspora.git", "visibility_level": 0}
        }
        """#

    @Test("GitLab: a push to a branch; the head commit is the one `checkout_sha` names, wherever it is listed")
    func gitlabBranch() throws {
        let expected = WebhookPush(
            ref: .branch("master"), commitSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            commitMessage: "fixed readme", commitAuthor: "GitLab dev user <gitlabdev@example.com>")
        #expect(try Self.parse(.gitlab, "Push Hook", Self.gitlabBranchPush) == .push(expected))
        // The same push sent by a system hook.
        #expect(try Self.parse(.gitlab, "System Hook", Self.gitlabBranchPush) == .push(expected))
    }

    @Test("GitLab: an annotated tag, where `after` names the tag object and `checkout_sha` the commit")
    func gitlabTag() throws {
        let body = #"""
            {
              "object_kind": "tag_push",
              "event_name": "tag_push",
              "before": "0000000000000000000000000000000000000000",
              "after": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
              "ref": "refs/tags/v1.0.0",
              "ref_protected": true,
              "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
              "message": "Tag message",
              "user_id": 1, "user_name": "John Smith",
              "project_id": 1,
              "commits": [],
              "total_commits_count": 0
            }
            """#
        let expected = WebhookPush(ref: .tag("v1.0.0"), commitSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
        #expect(try Self.parse(.gitlab, "Tag Push Hook", body) == .push(expected))
    }

    @Test("GitLab: a deleted branch, and a push without `checkout_sha`")
    func gitlabDeletionAndFallback() throws {
        let deleted = """
            {"object_kind": "push", "before": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "after": "\(Self.zeros)",
             "ref": "refs/heads/feature/old", "checkout_sha": null, "commits": [], "total_commits_count": 0}
            """
        #expect(
            try Self.parse(.gitlab, "Push Hook", deleted)
                == .push(WebhookPush(ref: .branch("feature/old"), commitSha: nil)))
        // Without `checkout_sha` the commit is `after`; with no listed commit matching it, the last one is the head.
        let noCheckout = #"""
            {"ref": "refs/heads/main", "after": "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
             "commits": [{"id": "95790bf891e76fee5e1747ab589903a6a1f80f22", "message": "wip",
                          "author": {"name": "Jordi Mallach"}}]}
            """#
        let expected = WebhookPush(
            ref: .branch("main"), commitSha: "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327", commitMessage: "wip",
            commitAuthor: "Jordi Mallach")
        #expect(try Self.parse(.gitlab, "Push Hook", noCheckout) == .push(expected))
    }

    @Test("GitLab: other hooks, system hooks for other events")
    func gitlabOtherEvents() throws {
        let mergeRequest = #"{"object_kind": "merge_request", "object_attributes": {"iid": 1}}"#
        #expect(try Self.parse(.gitlab, "Merge Request Hook", mergeRequest) == .unsupported("Merge Request Hook"))
        let projectCreated = #"{"event_name": "project_create", "name": "StoreCloud", "path": "storecloud"}"#
        #expect(try Self.parse(.gitlab, "System Hook", projectCreated) == .unsupported("System Hook"))
        // GitHub's event names mean nothing from GitLab.
        #expect(try Self.parse(.gitlab, "push", Self.gitlabBranchPush) == .unsupported("push"))
    }

    // MARK: - Gitea and Forgejo

    /// Gitea's documented example: no `head_commit`, so the head is the listed commit `after` names.
    static let giteaBranchPush = #"""
        {
          "secret": "3gEsCfjlV2ugRwgpU#w1*WaW*wa4NXgGmpCfkbG3",
          "ref": "refs/heads/develop",
          "before": "28e1879d029cb852e4844d9c718537df08844e03",
          "after": "bffeb74224043ba2feb48d137756c8a9331c449a",
          "compare_url": "http://localhost:3000/gitea/webhooks/compare/28e1879d029cb852e4844d9c718537df08844e03...bffeb74224043ba2feb48d137756c8a9331c449a",
          "commits": [
            {
              "id": "bffeb74224043ba2feb48d137756c8a9331c449a",
              "message": "Webhooks Yay!",
              "url": "http://localhost:3000/gitea/webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a",
              "author": {"name": "Gitea", "email": "someone@gitea.io", "username": "gitea"},
              "committer": {"name": "Gitea", "email": "someone@gitea.io", "username": "gitea"},
              "timestamp": "2017-03-13T13:52:11-04:00"
            }
          ],
          "repository": {"id": 140, "owner": {"id": 1, "login": "gitea"}, "name": "webhooks", "private": false},
          "pusher": {"id": 1, "login": "gitea", "email": "someone@gitea.io"},
          "sender": {"id": 1, "login": "gitea", "email": "someone@gitea.io"}
        }
        """#

    @Test("Gitea: a push to a branch, the head commit found among `commits`")
    func giteaBranch() throws {
        let expected = WebhookPush(
            ref: .branch("develop"), commitSha: "bffeb74224043ba2feb48d137756c8a9331c449a",
            commitMessage: "Webhooks Yay!", commitAuthor: "Gitea <someone@gitea.io>")
        #expect(try Self.parse(.gitea, "push", Self.giteaBranchPush) == .push(expected))
    }

    @Test("Gitea: a tag arrives as a push with `head_commit`; a deletion has `after` all zeros")
    func giteaTagAndDeletion() throws {
        let tag = #"""
            {"ref": "refs/tags/v2.3.1", "before": "0000000000000000000000000000000000000000",
             "after": "bffeb74224043ba2feb48d137756c8a9331c449a", "commits": [],
             "head_commit": {"id": "bffeb74224043ba2feb48d137756c8a9331c449a", "message": "Bump version\n",
                             "author": {"name": "Forgejo Dev", "email": "dev@forgejo.example", "username": "dev"}},
             "total_commits": 0}
            """#
        let expected = WebhookPush(
            ref: .tag("v2.3.1"), commitSha: "bffeb74224043ba2feb48d137756c8a9331c449a", commitMessage: "Bump version",
            commitAuthor: "Forgejo Dev <dev@forgejo.example>")
        #expect(try Self.parse(.gitea, "push", tag) == .push(expected))
        let deleted = """
            {"ref": "refs/heads/develop", "before": "bffeb74224043ba2feb48d137756c8a9331c449a",
             "after": "\(Self.zeros)", "commits": [], "head_commit": null}
            """
        #expect(try Self.parse(.gitea, "push", deleted) == .push(WebhookPush(ref: .branch("develop"), commitSha: nil)))
    }

    @Test("Gitea: `create`, `delete` and other events are not acted on")
    func giteaOtherEvents() throws {
        let create = #"{"sha": "bffeb74224043ba2feb48d137756c8a9331c449a", "ref": "v2.3.1", "ref_type": "tag"}"#
        #expect(try Self.parse(.gitea, "create", create) == .unsupported("create"))
        #expect(
            try Self.parse(.gitea, "delete", #"{"ref": "develop", "ref_type": "branch"}"#) == .unsupported("delete"))
        #expect(try Self.parse(.gitea, "pull_request", #"{"action": "opened"}"#) == .unsupported("pull_request"))
    }

    // MARK: - Bitbucket

    static func bitbucketPush(changes: String) -> String {
        #"""
        {
          "actor": {"type": "user", "display_name": "Tony Stark", "uuid": "{967a34ee-4603-4642-b8cc-37764da12f5e}"},
          "repository": {"type": "repository", "full_name": "stark/jarvis", "is_private": true},
          "push": {"changes": \#(changes)}
        }
        """#
    }

    static let bitbucketNewBranchState = #"""
        {
          "type": "branch",
          "name": "master",
          "target": {
            "type": "commit",
            "hash": "10f4b2af0c2daf86d429c22f6a8c34d8a6ab9114",
            "date": "2024-05-15T23:09:07+00:00",
            "message": "Conflict free\n",
            "author": {"type": "author", "raw": "Tony Stark <tstark@stark-industries.com>",
                       "user": {"display_name": "Tony Stark", "type": "user"}},
            "summary": {"raw": "Conflict free\n", "markup": "markdown", "html": "<p>Conflict free</p>"},
            "parents": [{"hash": "4c7a5e03e075d808b9241ec760087e114d6d0ccf", "type": "commit"}]
          },
          "links": {"html": {"href": "https://bitbucket.org/stark/jarvis/branch/master"}},
          "default_merge_strategy": "merge_commit"
        }
        """#

    @Test("Bitbucket: a push to a branch, read from the first change")
    func bitbucketBranch() throws {
        let changes = """
            [{"forced": false, "created": false, "closed": false, "truncated": false,
              "old": {"type": "branch", "name": "master",
                      "target": {"type": "commit", "hash": "4c7a5e03e075d808b9241ec760087e114d6d0ccf"}},
              "new": \(Self.bitbucketNewBranchState),
              "commits": [{"hash": "10f4b2af0c2daf86d429c22f6a8c34d8a6ab9114", "message": "Conflict free\\n"}]},
             {"old": null, "new": {"type": "tag", "name": "ignored",
                                   "target": {"hash": "4c7a5e03e075d808b9241ec760087e114d6d0ccf"}}}]
            """
        let expected = WebhookPush(
            ref: .branch("master"), commitSha: "10f4b2af0c2daf86d429c22f6a8c34d8a6ab9114",
            commitMessage: "Conflict free", commitAuthor: "Tony Stark <tstark@stark-industries.com>")
        #expect(try Self.parse(.bitbucket, "repo:push", Self.bitbucketPush(changes: changes)) == .push(expected))
    }

    @Test("Bitbucket: a new tag, and a deleted branch named by `old`")
    func bitbucketTagAndDeletion() throws {
        let tag = #"""
            [{"created": true, "old": null,
              "new": {"type": "tag", "name": "v2.0.0", "message": "Release 2\n",
                      "target": {"type": "commit", "hash": "10F4B2AF0C2DAF86D429C22F6A8C34D8A6AB9114",
                                 "message": "Ship it", "author": {"user": {"display_name": "Pepper Potts"}}}}}]
            """#
        let expected = WebhookPush(
            ref: .tag("v2.0.0"), commitSha: "10f4b2af0c2daf86d429c22f6a8c34d8a6ab9114", commitMessage: "Ship it",
            commitAuthor: "Pepper Potts")
        #expect(try Self.parse(.bitbucket, "repo:push", Self.bitbucketPush(changes: tag)) == .push(expected))
        let deleted = #"""
            [{"created": false, "closed": true, "new": null,
              "old": {"type": "branch", "name": "feature/suit-mk2",
                      "target": {"type": "commit", "hash": "10f4b2af0c2daf86d429c22f6a8c34d8a6ab9114"}}}]
            """#
        #expect(
            try Self.parse(.bitbucket, "repo:push", Self.bitbucketPush(changes: deleted))
                == .push(WebhookPush(ref: .branch("feature/suit-mk2"), commitSha: nil)))
    }

    @Test("Bitbucket: a push without changes, or with a change Slipway cannot read, is refused")
    func bitbucketRefusals() throws {
        let empty = Self.refusal(.bitbucket, "repo:push", Self.bitbucketPush(changes: "[]"))
        #expect(empty?.code == "invalid_payload")
        #expect(empty?.field == "push.changes")
        #expect(Self.refusal(.bitbucket, "repo:push", #"{"actor": {}}"#)?.field == "push.changes")
        let neither = Self.refusal(
            .bitbucket, "repo:push", Self.bitbucketPush(changes: #"[{"old": null, "new": null}]"#))
        #expect(neither?.code == "invalid_payload")
        let bookmark = #"[{"old": null, "new": {"type": "bookmark", "name": "tip", "target": {"hash": "x"}}}]"#
        let wrongType = Self.refusal(.bitbucket, "repo:push", Self.bitbucketPush(changes: bookmark))
        #expect(wrongType?.field == "push.changes[0].new.type")
        #expect(wrongType?.message.contains("bookmark") == true)
        let noHash = #"[{"old": null, "new": {"type": "branch", "name": "main", "target": {"type": "commit"}}}]"#
        #expect(
            Self.refusal(.bitbucket, "repo:push", Self.bitbucketPush(changes: noHash))?.field
                == "push.changes[0].new.target.hash")
    }

    @Test("Bitbucket: other events, and the Data Center test ping")
    func bitbucketOtherEvents() throws {
        #expect(
            try Self.parse(.bitbucket, "pullrequest:created", #"{"pullrequest": {"id": 1}}"#)
                == .unsupported("pullrequest:created"))
        #expect(try Self.parse(.bitbucket, "diagnostics:ping", #"{"test": true}"#) == .ping)
        // GitHub's ping means nothing from Bitbucket.
        #expect(try Self.parse(.bitbucket, "ping", "{}") == .unsupported("ping"))
    }

    // MARK: - Refusals common to all

    @Test("A body that is not a JSON object is invalid_json, whatever the event", arguments: GitProvider.allCases)
    func notJSON(provider: GitProvider) {
        let bodies = [
            "", "not json", "payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D", #"{"ref": "refs/heads/main""#,
            "[]", #"[{"ref": "refs/heads/main"}]"#, #""push""#, "42", "null", "true",
        ]
        let events = ["push", "Push Hook", "repo:push", "ping", "issues"]
        for body in bodies {
            for event in events {
                let error = Self.refusal(provider, event, body)
                #expect(error?.code == "invalid_json", "\(event): \(body)")
                #expect(error?.kind == .badRequest)
            }
        }
    }

    /// One push body per ref-carrying provider, with the ref put in.
    static func pushes(ref: String?) -> [(GitProvider, String, String)] {
        let field = ref.map { #""ref": "\#($0)", "# } ?? ""
        let sha = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
        return [
            (.github, "push", #"{\#(field)"after": "\#(sha)", "head_commit": {"id": "\#(sha)"}}"#),
            (.gitlab, "Push Hook", #"{\#(field)"after": "\#(sha)", "checkout_sha": "\#(sha)", "commits": []}"#),
            (.gitea, "push", #"{\#(field)"after": "\#(sha)", "commits": []}"#),
        ]
    }

    @Test("A push without a ref, or to a ref that is neither a branch nor a tag, is refused")
    func badRefs() {
        for (provider, event, body) in Self.pushes(ref: nil) {
            let error = Self.refusal(provider, event, body)
            #expect(error?.code == "invalid_payload")
            #expect(error?.kind == .badRequest)
            #expect(error?.field == "ref")
            #expect(error?.message == "the push has no `ref`")
        }
        let refs = [
            "refs/merge-requests/1/head", "refs/pull/12/merge", "refs/notes/commits", "main", "heads/main",
            "refs/heads/", "refs/tags/", "refs/heads/bad\\u0007name", "refs/heads/line\\nbreak",
        ]
        for ref in refs {
            for (provider, event, body) in Self.pushes(ref: ref) {
                let error = Self.refusal(provider, event, body)
                #expect(error?.code == "invalid_payload", "\(provider) \(ref)")
                #expect(error?.field == "ref", "\(provider) \(ref)")
            }
        }
        let mergeRequest = Self.refusal(.gitlab, "Push Hook", Self.pushes(ref: "refs/merge-requests/1/head")[1].2)
        #expect(mergeRequest?.message.contains("`refs/merge-requests/1/head`") == true)
        let long = Self.refusal(.github, "push", Self.pushes(ref: "refs/x/" + String(repeating: "a", count: 5000))[0].2)
        #expect((long?.message.count ?? .max) < 300)
    }

    @Test("A push that keeps its ref needs a 40-hex commit sha")
    func badShas() {
        let shas = [
            "", "not-a-sha", "da1560886d4f", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7aa",
            "zz1560886d4f094c3e6c9ef40349f7d38b5d27d7",
        ]
        for sha in shas {
            let github = Self.refusal(
                .github, "push", #"{"ref": "refs/heads/main", "after": "\#(sha)", "head_commit": null}"#)
            #expect(github?.field == "after", "\(sha)")
            let gitlab = Self.refusal(.gitlab, "Push Hook", #"{"ref": "refs/heads/main", "checkout_sha": "\#(sha)"}"#)
            #expect(gitlab?.field == "checkout_sha", "\(sha)")
            let gitea = Self.refusal(.gitea, "push", #"{"ref": "refs/heads/main", "after": "\#(sha)", "commits": []}"#)
            #expect(gitea?.code == "invalid_payload", "\(sha)")
        }
        let missing = Self.refusal(.github, "push", #"{"ref": "refs/heads/main", "deleted": false}"#)
        #expect(missing?.field == "after")
        #expect(missing?.message == "the push has no commit sha in `after`")
    }
}
