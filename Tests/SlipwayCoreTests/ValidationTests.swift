import SlipwayCore
import Testing

@Suite("Validation rules")
struct ValidationRuleTests {
    @Test("slugs: 3 to 50 of a-z, 0-9 and -", arguments: ["abc", "acme-2", String(repeating: "a", count: 50)])
    func goodSlugs(slug: String) throws { try Validation.slug(slug) }

    @Test(
        "bad slugs name the field",
        arguments: ["ab", "ABC", "a_b", "a b", "ünï", String(repeating: "a", count: 51), ""])
    func badSlugs(slug: String) {
        #expect(throws: SlipwayError.self) { try Validation.slug(slug) }
        do { try Validation.slug(slug) } catch let error as SlipwayError { #expect(error.field == "slug") } catch {}
    }

    @Test("names: 2 to 100 characters, no control characters")
    func names() throws {
        try Validation.name("Go")
        try Validation.name(String(repeating: "n", count: 100))
        for bad in ["", "a", " a ", String(repeating: "n", count: 101), "tab\there"] {
            #expect(throws: SlipwayError.self, "\(bad)") { try Validation.name(bad) }
        }
    }

    @Test("ports: 1 to 65535")
    func ports() throws {
        try Validation.port(1)
        try Validation.port(65535)
        #expect(throws: SlipwayError.invalid("port", "must be between 1 and 65535 (got 0)")) { try Validation.port(0) }
        #expect(throws: SlipwayError.self) { try Validation.port(65536) }
    }

    @Test("Docker socket paths: absolute, one word, no colons")
    func dockerSocketPaths() throws {
        try Validation.dockerSocketPath("/var/run/docker.sock")
        try Validation.dockerSocketPath("/run/user/1000/docker.sock")
        for bad in [
            "", "/", "docker.sock", "/var/run/", "/a b", "/a\tb", "/a\nb", "/a:b", "/a\u{0}b", "/a\u{7F}b",
            "/" + String(repeating: "d", count: 200),
        ] {
            #expect(throws: SlipwayError.self, "\(bad)") { try Validation.dockerSocketPath(bad) }
        }
        #expect(throws: SlipwayError.self) { try Validation.dockerSocketPath("x", field: "--docker-socket") }
        do { try Validation.dockerSocketPath("x") } catch let error as SlipwayError {
            #expect(error.field == "dockerSocketPath")
        }
    }

    @Test("passphrases: one line of 1 to 1024 characters")
    func passphrases() throws {
        try Validation.passphrase("correct horse battery staple")
        try Validation.passphrase(" $(not run) 'quoted' ")
        try Validation.passphrase(String(repeating: "p", count: 1024))
        for bad in ["", "two\nlines", "cr\rhere", "nul\u{0}", String(repeating: "p", count: 1025)] {
            #expect(throws: SlipwayError.self, "\(bad)") { try Validation.passphrase(bad) }
        }
    }

    @Test("commit shas: up to 40 hexadecimal characters")
    func commitShas() throws {
        try Validation.commitSha("abcd")
        try Validation.commitSha(String(repeating: "f", count: 40))
        for bad in ["", "abc", "xyz1", String(repeating: "a", count: 41), "abcd;ls", "$(id)"] {
            #expect(throws: SlipwayError.self, "\(bad)") { try Validation.commitSha(bad) }
        }
    }

    @Test("git refs and repository URLs refuse what could reach a command line as an option")
    func gitInput() throws {
        try Validation.gitRef("main", field: "branch")
        try Validation.gitRef("release/1.2", field: "branch")
        for bad in ["-x", "a..b", "a b", "a~1", "ref.lock", "/abs", "x\n"] {
            #expect(throws: SlipwayError.self, "\(bad)") { try Validation.gitRef(bad, field: "branch") }
        }
        try Validation.repoURL("https://git.example.com/a.git")
        try Validation.repoURL("git@github.com:team/app.git")
        for bad in ["--upload-pack=x", "ext::sh -c id", "https://h/a b", "ftp://x/y"] {
            #expect(throws: SlipwayError.self, "\(bad)") { try Validation.repoURL(bad) }
        }
    }
}
