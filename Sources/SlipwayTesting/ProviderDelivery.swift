import Crypto
import Foundation
import SlipwayCore

/// A webhook delivery built the way a Git provider builds it: its JSON, its headers and its signature (made
/// here with swift-crypto's HMAC, apart from the code under test), for tests to send to a live control plane.
public struct ProviderDelivery: Sendable {
    public var provider: GitProvider
    public var event: String
    public var body: String
    public var deliveryId: String
    /// The headers the provider sends, signature included.
    public var headers: [String: String]

    /// A push of `ref` (`refs/heads/main`, `refs/tags/v1`) to `sha`, or its deletion when `sha` is nil,
    /// signed with `secret`.
    public static func push(
        _ provider: GitProvider, secret: String, ref: String, sha: String?, message: String = "Change the greeting",
        author: (name: String, email: String) = ("Ada Lovelace", "ada@example.test"),
        deliveryId: String = UUID().uuidString.lowercased()
    ) -> ProviderDelivery {
        let zero = String(repeating: "0", count: 40)
        let commit: [String: Any] = [
            "id": sha ?? zero, "message": message, "timestamp": "2026-12-06T10:00:00Z",
            "url": "https://git.example.test/team/app/commit/\(sha ?? zero)",
            "author": ["name": author.name, "email": author.email, "username": "ada"],
        ]
        let repository: [String: Any] = [
            "id": 42, "name": "app", "full_name": "team/app", "clone_url": "https://git.example.test/team/app.git",
        ]
        let payload: [String: Any]
        let event: String
        switch provider {
        case .github, .gitea:
            event = "push"
            payload = [
                "ref": ref, "before": zero, "after": sha ?? zero, "created": false, "deleted": sha == nil,
                "forced": false, "repository": repository, "pusher": ["name": "ada", "email": author.email],
                "head_commit": sha == nil ? NSNull() : commit, "commits": sha == nil ? [] : [commit],
            ]
        case .gitlab:
            event = ref.hasPrefix("refs/tags/") ? "Tag Push Hook" : "Push Hook"
            payload = [
                "object_kind": ref.hasPrefix("refs/tags/") ? "tag_push" : "push", "event_name": "push",
                "before": zero, "after": sha ?? zero, "ref": ref, "checkout_sha": sha ?? NSNull(),
                "user_name": author.name, "user_email": author.email, "project_id": 42,
                "project": ["id": 42, "name": "app", "path_with_namespace": "team/app"],
                "commits": sha == nil ? [] : [commit], "total_commits_count": sha == nil ? 0 : 1,
                "repository": ["name": "app", "url": "git@git.example.test:team/app.git"],
            ]
        case .bitbucket:
            event = "repo:push"
            let isTag = ref.hasPrefix("refs/tags/")
            let name = String(ref.split(separator: "/", maxSplits: 2).last ?? "")
            let target: [String: Any] = [
                "type": "commit", "hash": sha ?? zero, "message": message + "\n",
                "author": ["type": "author", "raw": "\(author.name) <\(author.email)>"],
                "date": "2026-12-06T10:00:00+00:00",
            ]
            let side: [String: Any] = ["type": isTag ? "tag" : "branch", "name": name, "target": target]
            payload = [
                "actor": ["display_name": author.name, "type": "user"],
                "repository": ["type": "repository", "full_name": "team/app", "name": "app"],
                "push": [
                    "changes": [
                        [
                            "new": sha == nil ? NSNull() : side, "old": sha == nil ? side : NSNull(),
                            "created": false, "closed": sha == nil, "forced": false, "truncated": false,
                        ] as [String: Any]
                    ]
                ],
            ]
        }
        let body = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
        return signed(
            provider, secret: secret, event: event, body: String(decoding: body, as: UTF8.self),
            deliveryId: deliveryId)
    }

    /// Any body, with the provider's event, delivery and signature headers for it.
    public static func signed(
        _ provider: GitProvider, secret: String, event: String, body: String,
        deliveryId: String = UUID().uuidString.lowercased()
    ) -> ProviderDelivery {
        var headers = [provider.eventHeader: event, provider.deliveryHeader: deliveryId]
        headers["Content-Type"] = "application/json"
        headers[provider.signatureHeader] = signature(provider, secret: secret, body: body)
        switch provider {
        case .github: headers["User-Agent"] = "GitHub-Hookshot/0a1b2c3"
        case .gitlab: headers["User-Agent"] = "GitLab/17.5.0"
        case .gitea: headers["User-Agent"] = "Go-http-client/1.1"
        case .bitbucket: headers["User-Agent"] = "Bitbucket-Webhooks/2.0"
        }
        return ProviderDelivery(provider: provider, event: event, body: body, deliveryId: deliveryId, headers: headers)
    }

    /// What the provider puts in its signature header for `body`.
    public static func signature(_ provider: GitProvider, secret: String, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        switch provider {
        case .github, .bitbucket: return "sha256=" + hex
        case .gitea: return hex
        case .gitlab: return secret
        }
    }

    /// The path a provider posts to for the project.
    public static func path(projectId: String, _ provider: GitProvider) -> String {
        "/api/projects/\(projectId)/webhooks/\(provider.rawValue)"
    }
}
