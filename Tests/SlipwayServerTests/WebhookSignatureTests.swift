import Foundation
import SlipwayCore
import Testing

@testable import SlipwayServer

/// Expected signatures are fixed vectors, never made by the code under test: GitHub's documented one, and
/// HMAC-SHA256 hex digests computed with `printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret"`.
@Suite("Webhook signatures")
struct WebhookSignatureTests {
    static let secret = #"hook secret: ünï & "quotes""#
    static let body =
        #"{"ref":"refs/heads/main","after":"9fceb02d0ae598e95dc970b74767f19372d61af8","pusher":{"name":"Zoë"}}"#
    /// HMAC-SHA256 of `body` keyed with `secret`.
    static let mac = "be4f48cdfafecebfac109ec079c66f63eb93ac55bd948fbbba108ac17d44528a"
    /// HMAC-SHA256 of `body` keyed with "another secret".
    static let macOfOtherSecret = "fda6b35698ffeff0e791a9c04d6320086f8ef7795469e16bb4d6874a697b0019"
    /// HMAC-SHA256 of `body` with "main" changed to "maim", keyed with `secret`.
    static let macOfOtherBody = "b9f747d3706b80ffd84bd3d0fd96d591bbe0237f9b9dc88decbbd88162c58532"
    /// HMAC-SHA256 of the empty body keyed with `secret`.
    static let macOfEmptyBody = "fc4a2f78b80e5c16b994f64eb67370c3f70075e01a0175dd9fe145263bfda948"

    static func verify(
        _ provider: GitProvider, signature: String?, secret: String = secret, body: String = body
    ) -> WebhookSignature.Verdict {
        WebhookSignature.verify(provider: provider, secret: secret, body: Array(body.utf8), signature: signature)
    }

    /// How each HMAC provider writes a hex MAC into its header.
    static func header(_ provider: GitProvider, _ hex: String) -> String {
        provider == .gitea ? hex : "sha256=" + hex
    }

    @Test("GitHub's documented test vector")
    func githubVector() {
        let verdict = WebhookSignature.verify(
            provider: .github, secret: "It's a Secret to Everybody", body: Data("Hello, World!".utf8),
            signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        #expect(verdict == .valid)
        let flipped = WebhookSignature.verify(
            provider: .github, secret: "It's a Secret to Everybody", body: Data("Hello, World?".utf8),
            signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        #expect(flipped == .mismatch)
    }

    @Test("The right MAC is valid, in either case of hex", arguments: [GitProvider.github, .gitea, .bitbucket])
    func valid(provider: GitProvider) {
        #expect(Self.verify(provider, signature: Self.header(provider, Self.mac)) == .valid)
        #expect(Self.verify(provider, signature: Self.header(provider, Self.mac.uppercased())) == .valid)
        #expect(
            Self.verify(provider, signature: Self.header(provider, Self.macOfEmptyBody), body: "") == .valid)
    }

    @Test("No header, or an empty one, is missing and names the header", arguments: GitProvider.allCases)
    func missing(provider: GitProvider) {
        #expect(Self.verify(provider, signature: nil) == .missing(header: provider.signatureHeader))
        #expect(Self.verify(provider, signature: "") == .missing(header: provider.signatureHeader))
    }

    @Test("Any other signature is a mismatch", arguments: [GitProvider.github, .gitea, .bitbucket])
    func mismatch(provider: GitProvider) {
        let mac = Self.mac
        let wrong: [String] = [
            // The MAC of another body (one byte changed), or under another secret.
            Self.header(provider, Self.macOfOtherBody),
            Self.header(provider, Self.macOfOtherSecret),
            // Cut short, one digit off, one digit too many, one digit changed.
            Self.header(provider, String(mac.prefix(32))),
            Self.header(provider, String(mac.dropLast())),
            Self.header(provider, mac + "0"),
            Self.header(provider, String(mac.dropLast()) + (mac.hasSuffix("a") ? "b" : "a")),
            // Not hex, or nothing after the prefix.
            Self.header(provider, String(repeating: "zz", count: 32)),
            Self.header(provider, "g" + mac.dropFirst()),
            "sha256=",
            // Other shapes: the wrong prefix, a SHA-1 style one, spaces.
            provider == .gitea ? "sha256=" + mac : mac,
            "sha1=" + mac,
            Self.header(provider, " " + mac),
            "sha256=" + mac + " ",
        ]
        for signature in wrong {
            #expect(Self.verify(provider, signature: signature) == .mismatch, "\(signature)")
        }
        // The body the right MAC was made for, but a byte of it changed.
        let changed = Self.body.replacingOccurrences(of: "main", with: "maim")
        #expect(Self.verify(provider, signature: Self.header(provider, mac), body: changed) == .mismatch)
        #expect(
            Self.verify(provider, signature: Self.header(provider, mac), secret: "another secret") == .mismatch)
    }

    @Test("GitLab's token must be the secret itself")
    func gitlab() {
        #expect(Self.verify(.gitlab, signature: Self.secret) == .valid)
        // The body plays no part in GitLab's check.
        #expect(Self.verify(.gitlab, signature: Self.secret, body: "") == .valid)
        let wrong = [
            "another secret", String(Self.secret.dropLast()), Self.secret + "x", Self.secret.uppercased(),
            " " + Self.secret, "sha256=" + Self.mac, Self.mac,
        ]
        for token in wrong {
            #expect(Self.verify(.gitlab, signature: token) == .mismatch, "\(token)")
        }
        #expect(Self.verify(.gitlab, signature: nil) == .missing(header: "X-Gitlab-Token"))
    }

    @Test("An empty secret proves nothing", arguments: [GitProvider.github, .gitea, .bitbucket])
    func emptySecret(provider: GitProvider) {
        // HMAC-SHA256 of `body` under the empty key (`openssl dgst -sha256 -hmac ''`): anyone could make it.
        let emptyKeyMac = "c7a24dcda6b9de939f3384e022d0982babc708d1b008dfdf3a55f5bb8b62887f"
        #expect(Self.verify(provider, signature: Self.header(provider, emptyKeyMac), secret: "") == .mismatch)
    }
}
