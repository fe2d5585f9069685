import Foundation

/// What a verified delivery says: a push to act on, a provider testing the hook, or an event Slipway ignores.
public enum WebhookEvent: Sendable, Equatable {
    /// The provider testing the hook: GitHub's `ping`, Bitbucket Data Center's `diagnostics:ping`.
    case ping
    /// A branch or a tag was pushed, or deleted.
    case push(WebhookPush)
    /// Any other event (issues, pull requests, ...): the event name as sent, at most 200 characters.
    case unsupported(String)
}

/// A push as every provider tells it: the ref that moved, the commit it points at now, and that commit's
/// message and author.
public struct WebhookPush: Sendable, Equatable {
    /// The ref a push moved.
    public enum Ref: Sendable, Equatable {
        /// `refs/heads/<name>`: the name without the prefix.
        case branch(String)
        /// `refs/tags/<name>`: the name without the prefix.
        case tag(String)
    }

    /// The ref that moved.
    public var ref: Ref
    /// The pushed commit (40 hex, lowercase); nil when the ref was deleted.
    public var commitSha: String?
    /// Whether the push deleted the ref.
    public var deleted: Bool { commitSha == nil }
    /// The head commit's message (its first 2000 characters), when the provider sent it.
    public var commitMessage: String?
    /// The head commit's author: "Name <email>" when both are known, else what is known.
    public var commitAuthor: String?

    public init(ref: Ref, commitSha: String?, commitMessage: String? = nil, commitAuthor: String? = nil) {
        self.ref = ref
        self.commitSha = commitSha
        self.commitMessage = commitMessage
        self.commitAuthor = commitAuthor
    }
}

extension WebhookEvent {
    /// Parses a delivery's body for its provider and the value of its `provider.eventHeader`. The body must be
    /// a JSON object whatever the event; extra fields are ignored.
    ///
    /// Throws a `.badRequest` `SlipwayError`: `invalid_json` when the body is not a JSON object,
    /// `invalid_payload` (with the field at fault) when a push lacks what a push must have: a ref under
    /// `refs/heads/` or `refs/tags/`, and unless it deletes the ref, a 40-hex commit sha.
    public static func parse(provider: GitProvider, event: String, body: Data) throws -> WebhookEvent {
        let json: JSON
        do {
            json = try JSONDecoder().decode(JSON.self, from: body)
        } catch {
            throw SlipwayError(.badRequest, code: "invalid_json", message: "the body is not valid JSON")
        }
        guard case .object = json else {
            throw SlipwayError(.badRequest, code: "invalid_json", message: "the body is not a JSON object")
        }
        switch (provider, event) {
        case (.github, "ping"), (.bitbucket, "diagnostics:ping"):
            return .ping
        case (.github, "push"), (.gitea, "push"):
            return .push(try githubPush(json))
        case (.gitlab, "Push Hook"), (.gitlab, "Tag Push Hook"):
            return .push(try gitlabPush(json))
        case (.gitlab, "System Hook"):
            // System hooks carry every kind of event under one header; the body names it.
            let kind = json["event_name"]?.string ?? json["object_kind"]?.string
            return kind == "push" || kind == "tag_push" ? .push(try gitlabPush(json)) : .unsupported(event)
        case (.bitbucket, "repo:push"):
            return .push(try bitbucketPush(json))
        default:
            // GitHub's and Gitea's `create` and `delete` land here too: a new branch or tag also comes as a `push`.
            return .unsupported(String(event.prefix(200)))
        }
    }

    /// GitHub, and Gitea which copies its shape. For an annotated tag `after` can name the tag object, so
    /// the head commit's id comes first.
    private static func githubPush(_ body: JSON) throws -> WebhookPush {
        let ref = try gitRef(body["ref"])
        let after = body["after"]?.string
        if body["deleted"]?.bool == true || after.map(isZeroSha) == true {
            return WebhookPush(ref: ref, commitSha: nil)
        }
        let headCommit = body["head_commit"]?.object != nil ? body["head_commit"] : nil
        guard let commitSha = sha(headCommit?["id"]?.string) ?? sha(after) else {
            throw shaError(after, field: "after")
        }
        let commits = body["commits"]?.array ?? []
        let head = headCommit ?? commits.last { sha($0["id"]?.string) == commitSha } ?? commits.last
        return WebhookPush(ref: ref, commitSha: commitSha, commitMessage: message(head), commitAuthor: author(head))
    }

    /// GitLab: `checkout_sha` is the commit (for an annotated tag `after` is the tag object); it is null and
    /// `after` all zeros when the ref was deleted.
    private static func gitlabPush(_ body: JSON) throws -> WebhookPush {
        let ref = try gitRef(body["ref"])
        let after = body["after"]?.string
        if after.map(isZeroSha) == true, body["checkout_sha"]?.string.flatMap(sha) == nil {
            return WebhookPush(ref: ref, commitSha: nil)
        }
        let given = body["checkout_sha"]?.string ?? after
        guard let commitSha = sha(given) else {
            throw shaError(given, field: "checkout_sha")
        }
        let commits = body["commits"]?.array ?? []
        let head = commits.last { sha($0["id"]?.string) == commitSha } ?? commits.last
        return WebhookPush(ref: ref, commitSha: commitSha, commitMessage: message(head), commitAuthor: author(head))
    }

    /// Bitbucket Cloud: the first of `push.changes`; `new` is null when the ref was deleted.
    private static func bitbucketPush(_ body: JSON) throws -> WebhookPush {
        guard let change = body["push"]?["changes"]?.array?.first else {
            throw invalid("push.changes", "the push has no `push.changes`")
        }
        let side = change["new"]?.object != nil ? "new" : "old"
        guard let state = change[side], state.object != nil else {
            throw invalid("push.changes", "the change has neither `new` nor `old`")
        }
        let field = "push.changes[0].\(side)"
        guard let name = state["name"]?.string else {
            throw invalid("\(field).name", "the change has no `\(field).name`")
        }
        let ref: WebhookPush.Ref
        switch state["type"]?.string {
        case "branch": ref = .branch(try refName(name, field: "\(field).name"))
        case "tag": ref = .tag(try refName(name, field: "\(field).name"))
        case let other:
            throw invalid("\(field).type", "`\(field).type` is \(shown(other)), neither `branch` nor `tag`")
        }
        guard side == "new" else { return WebhookPush(ref: ref, commitSha: nil) }
        let target = state["target"]
        guard let commitSha = sha(target?["hash"]?.string) else {
            throw shaError(target?["hash"]?.string, field: "\(field).target.hash")
        }
        let author = target?["author"]?["raw"]?.string ?? target?["author"]?["user"]?["display_name"]?.string
        return WebhookPush(
            ref: ref, commitSha: commitSha, commitMessage: capped(target?["message"]?.string, 2000),
            commitAuthor: capped(author, authorLimit))
    }

    // MARK: - Fields

    private static let authorLimit = 320

    private static func gitRef(_ value: JSON?) throws -> WebhookPush.Ref {
        guard let ref = value?.string else { throw invalid("ref", "the push has no `ref`") }
        if ref.hasPrefix("refs/heads/") {
            return .branch(try refName(String(ref.dropFirst("refs/heads/".count)), field: "ref"))
        }
        if ref.hasPrefix("refs/tags/") {
            return .tag(try refName(String(ref.dropFirst("refs/tags/".count)), field: "ref"))
        }
        throw invalid("ref", "the push is to \(shown(ref)), neither a branch (`refs/heads/`) nor a tag (`refs/tags/`)")
    }

    /// A branch or tag name: not empty, no control characters (Git forbids them), not absurdly long.
    private static func refName(_ name: String, field: String) throws -> String {
        guard !name.isEmpty else { throw invalid(field, "the ref has an empty name") }
        guard name.utf8.count <= 1024,
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw invalid(field, "the ref name \(shown(name)) is not a Git ref name") }
        return name
    }

    /// The head commit's message; GitHub, Gitea and GitLab share the commit's shape.
    private static func message(_ commit: JSON?) -> String? {
        capped(commit?["message"]?.string, 2000)
    }

    private static func author(_ commit: JSON?) -> String? {
        let name = commit?["author"]?["name"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let email = commit?["author"]?["email"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let whole: String? =
            switch (name, email) {
            case (let name?, let email?): "\(name) <\(email)>"
            case (let name?, nil): name
            case (nil, let email?): email
            case (nil, nil): nil
            }
        return capped(whole, authorLimit)
    }

    /// The text without the trailing newline git (and Bitbucket's payload) ends a message with, cut to `limit`.
    private static func capped(_ text: String?, _ limit: Int) -> String? {
        guard let text else { return nil }
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return String(text[..<end].prefix(limit))
    }

    /// A 40-hex commit sha, lowercased; nil for anything else.
    private static func sha(_ text: String?) -> String? {
        guard let text, text.utf8.count == 40, text.utf8.allSatisfy(isHexDigit) else { return nil }
        return text.lowercased()
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func isZeroSha(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 == UInt8(ascii: "0") }
    }

    private static func shaError(_ given: String?, field: String) -> SlipwayError {
        guard let given else { return invalid(field, "the push has no commit sha in `\(field)`") }
        return invalid(field, "`\(field)` is \(shown(given)), not a 40-character hex commit sha")
    }

    /// Input quoted in an error message, cut short: the sender is verified but its fields are still input.
    private static func shown(_ text: String?) -> String {
        guard let text else { return "missing" }
        return text.count > 100 ? "`\(text.prefix(100))...`" : "`\(text)`"
    }

    private static func invalid(_ field: String, _ message: String) -> SlipwayError {
        SlipwayError(.badRequest, code: "invalid_payload", message: message, field: field)
    }
}

/// Just enough JSON to read a delivery: any well-formed document decodes, so an odd or unknown field is
/// ignored rather than failing the whole body, and a field of the wrong type reads as absent.
private enum JSON: Decodable {
    case object([String: JSON])
    case array([JSON])
    case string(String)
    case bool(Bool)
    case number
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first: most values in a delivery are strings, and each failed guess throws.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSON].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            // The decoder checked the syntax of the whole body before this runs, so what is left is a number,
            // maybe one too large for a Double (`1e400`), which is no reason to refuse the body.
            self = .number
        }
    }

    subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var object: [String: JSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var array: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
