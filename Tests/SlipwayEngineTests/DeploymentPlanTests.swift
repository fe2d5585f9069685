import SlipwayCore
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// The pure parts of the pipeline, with many inputs: which addons a change updates, how the connections
/// of a draining colour are counted, and the git commands, whose user input never becomes an option.
struct DeploymentPlanTests {
    @Test(
        "the addons whose files changed, by their nearest manifest",
        arguments: [
            (["addons/sale/models.py"], ["sale"]),
            (["addons/sale/models.py", "addons/stock/views/a.xml", "Dockerfile"], ["sale", "stock"]),
            (["Dockerfile", "README.md"], []),
            (["addons/sale/sale_extra/data.xml"], ["sale_extra"]),
            (["addons/gone/models.py"], []),
            (["addons/salesman/x.py"], []),
        ])
    func changedModules(changed: [String], expected: [String]) {
        let files = [
            "Dockerfile", "addons/sale/__manifest__.py", "addons/sale/models.py", "addons/stock/__manifest__.py",
            "addons/sale/sale_extra/__manifest__.py", "addons/salesman.txt",
        ]
        #expect(ModuleSelection.changedModules(changed: changed, files: files) == expected)
    }

    @Test("established connections to the app's port are counted, in IPv4 and IPv6, and nothing else")
    func openConnections() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
               1: 020011AC:1F90 010011AC:B2A4 01 00000000:00000000 00:00000000 00000000     0        0 2 1
               2: 020011AC:1F90 010011AC:B2A6 06 00000000:00000000 00:00000000 00000000     0        0 3 1
               3: 020011AC:D2F0 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4 1
              sl  local_address                         remote_address                        st
               0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 01 0
            """
        #expect(OpenConnections.count(procNetTCP: text, port: 8080) == 2)
        #expect(OpenConnections.count(procNetTCP: text, port: 8069) == 0)
        #expect(OpenConnections.count(procNetTCP: "", port: 8080) == 0)
    }

    @Test(
        "a ref or URL that looks like an option or a command stays one argument, behind a fixed prefix",
        arguments: ["--upload-pack=touch /tmp/x", "$(reboot)", "main; rm -rf /", "`id`", "a\nb"])
    func hostileRefs(hostile: String) throws {
        for ref in [GitCommand.Ref.branch(hostile), .tag(hostile), .commit(hostile)] {
            let argv = GitCommand.resolve("/repos/p.git", ref)
            #expect(argv.filter { $0.contains(hostile) }.count == 1)
            let marker = try #require(argv.firstIndex(of: "--end-of-options"))
            #expect(argv.firstIndex { $0.contains(hostile) } == marker + 1, "the ref comes after --end-of-options")
        }
        let fetch = GitCommand.fetch("/repos/p.git", url: hostile)
        #expect(fetch[fetch.firstIndex(of: "--").map { $0 + 1 } ?? 0] == hostile, "the URL comes after --")
    }

    @Test("a commit is read from git log's three lines; a short or empty answer is refused")
    func commitDescription() {
        let sha = String(repeating: "a", count: 40)
        #expect(
            GitCommit(describeOutput: "\(sha)\nAda <ada@example.test>\nFix the cart\n")
                == GitCommit(sha: sha, author: "Ada <ada@example.test>", message: "Fix the cart"))
        #expect(GitCommit(describeOutput: "") == nil)
        #expect(GitCommit(describeOutput: "abc\nAda\nx") == nil)
    }

    @Test("steps side by side: each writes back only what it changed, never another's old values")
    func mergeKeepsTheOtherStepsFields() {
        let start = Deployment(
            organizationId: "org", projectId: "prj", environmentId: "env", triggerType: .manual, branch: "main",
            targets: [.init(instanceId: "a"), .init(instanceId: "b")])
        // The snapshot's copy and the build's copy both start from `start`.
        var snapshotCopy = start
        snapshotCopy.snapshotId = "snp_1"
        snapshotCopy.targets[0].snapshotId = "snp_1"
        snapshotCopy.targets[1].snapshotId = "snp_2"
        var sourceCopy = start
        sourceCopy.commitSha = String(repeating: "c", count: 40)
        sourceCopy.imageDigest = "sha256:abc"
        sourceCopy.targets[0].image = "reg/app@sha256:abc"

        var record = start
        record.merge(changesFrom: start, to: sourceCopy)
        record.merge(changesFrom: start, to: snapshotCopy)
        #expect(record.commitSha == sourceCopy.commitSha && record.imageDigest == "sha256:abc")
        #expect(record.snapshotId == "snp_1")
        #expect(record.targets[0].snapshotId == "snp_1" && record.targets[0].image == "reg/app@sha256:abc")
        #expect(record.targets[1].snapshotId == "snp_2" && record.targets[1].image == nil)
    }
}
