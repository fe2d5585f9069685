import SlipwayCore
import Testing

@Suite("Branch patterns and the environment a branch deploys to")
struct BranchMatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var pattern: String
        var branch: String
        var matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "~" : "!~") \(branch)" }
    }

    static let cases: [Case] = [
        // Literal patterns match only themselves, case included.
        Case(pattern: "main", branch: "main", matches: true),
        Case(pattern: "main", branch: "Main", matches: false),
        Case(pattern: "main", branch: "main2", matches: false),
        Case(pattern: "main", branch: "mai", matches: false),
        Case(pattern: "main", branch: "origin/main", matches: false),
        Case(pattern: "release/1.0", branch: "release/1.0", matches: true),
        Case(pattern: "release/1.0", branch: "release/1.00", matches: false),
        // `*` within one segment, an empty run included.
        Case(pattern: "release/*", branch: "release/1.2", matches: true),
        Case(pattern: "release/*", branch: "release/", matches: true),
        Case(pattern: "release/*", branch: "release", matches: false),
        Case(pattern: "release/*", branch: "release/1.2/hotfix", matches: false),
        Case(pattern: "release/*", branch: "releases/1.2", matches: false),
        Case(pattern: "release/*", branch: "x/release/1.2", matches: false),
        Case(pattern: "feature-*", branch: "feature-login", matches: true),
        Case(pattern: "feature-*", branch: "feature-", matches: true),
        Case(pattern: "feature-*", branch: "feature", matches: false),
        Case(pattern: "feature-*", branch: "feature-a/b", matches: false),
        Case(pattern: "feature-*", branch: "my-feature-x", matches: false),
        Case(pattern: "*-hotfix", branch: "1.2-hotfix", matches: true),
        Case(pattern: "*-hotfix", branch: "-hotfix", matches: true),
        Case(pattern: "*-hotfix", branch: "1.2-hotfix-2", matches: false),
        Case(pattern: "*", branch: "anything", matches: true),
        Case(pattern: "*", branch: "a/b", matches: false),
        Case(pattern: "*/*", branch: "a/b", matches: true),
        Case(pattern: "*/*", branch: "a/b/c", matches: false),
        Case(pattern: "*/*/*", branch: "team/alice/wip", matches: true),
        // Several stars in one segment, where the first guess of the first star is wrong.
        Case(pattern: "a*b*c", branch: "abc", matches: true),
        Case(pattern: "a*b*c", branch: "aXbYbZc", matches: true),
        Case(pattern: "a*b*c", branch: "aXbYc-", matches: false),
        Case(pattern: "*ab*ab*", branch: "xabyab", matches: true),
        Case(pattern: "*ab*ab*", branch: "xaby", matches: false),
        Case(pattern: "v*.*", branch: "v1.2", matches: true),
        Case(pattern: "v*.*", branch: "v12", matches: false),
        Case(pattern: "**", branch: "a", matches: true),
        Case(pattern: "**", branch: "a/b", matches: false),
        Case(pattern: "team/*/wip", branch: "team/bob/wip", matches: true),
        Case(pattern: "team/*/wip", branch: "team/bob/done", matches: false),
        Case(pattern: "team/*/wip", branch: "team//wip", matches: true),
        // Other characters are literal, not regular-expression or glob syntax.
        Case(pattern: "v1.0", branch: "v1x0", matches: false),
        Case(pattern: "fix+1", branch: "fix+1", matches: true),
        Case(pattern: "fix+1", branch: "fixx1", matches: false),
        Case(pattern: "ünï-*", branch: "ünï-code", matches: true),
    ]

    @Test("a pattern matches a branch, `*` staying inside one segment", arguments: cases)
    func match(_ example: Case) {
        #expect(BranchMapping.matches(pattern: example.pattern, branch: example.branch) == example.matches)
        let mapping = BranchMapping(branchPattern: example.pattern, environmentId: "env_x")
        #expect(mapping.matches(example.branch) == example.matches)
    }

    @Test("a long run of stars that cannot match answers at once")
    func noBlowUp() {
        let pattern = String(repeating: "a*", count: 40) + "b"
        let branch = String(repeating: "a", count: 200)
        let started = ContinuousClock.now
        #expect(!BranchMapping.matches(pattern: pattern, branch: branch))
        #expect(started.duration(to: .now) < .seconds(1))
    }

    static let production = Environment(
        id: "env_prod", organizationId: "org_1", projectId: "prj_1", name: "Production", type: .production,
        branch: "main")
    static let staging = Environment(
        id: "env_stage", organizationId: "org_1", projectId: "prj_1", name: "Staging", type: .staging,
        branch: "staging")
    static let development = Environment(
        id: "env_dev", organizationId: "org_1", projectId: "prj_1", name: "Development", type: .development,
        branch: "develop")
    static let environments = [production, staging, development]

    static func project(_ mappings: [BranchMapping]) -> Project {
        Project(
            id: "prj_1", organizationId: "org_1", name: "Shop", repoUrl: "https://git.example.test/shop.git",
            kind: .odoo, branchMappings: mappings)
    }

    @Test("without mappings, the environment whose branch is exactly the branch; else none")
    func exactBranch() {
        let project = Self.project([])
        #expect(project.environmentId(forBranch: "main", environments: Self.environments) == "env_prod")
        #expect(project.environmentId(forBranch: "staging", environments: Self.environments) == "env_stage")
        #expect(project.environmentId(forBranch: "develop", environments: Self.environments) == "env_dev")
        for branch in ["Main", "feature-x", "main/x", "mai", ""] {
            #expect(project.environmentId(forBranch: branch, environments: Self.environments) == nil, "\(branch)")
        }
        #expect(project.environmentId(forBranch: "main", environments: []) == nil)
    }

    @Test("the matching mapping of the highest priority wins, whatever the order they are listed in")
    func priority() {
        let mappings = [
            BranchMapping(branchPattern: "*", environmentId: "env_dev", priority: 0),
            BranchMapping(branchPattern: "release/*", environmentId: "env_stage", priority: 10),
            BranchMapping(branchPattern: "main", environmentId: "env_prod", priority: 100),
            BranchMapping(branchPattern: "feature-*", environmentId: "env_dev", priority: 5),
        ]
        for order in [mappings, mappings.reversed()] {
            let project = Self.project(order)
            let expected: [(String, String?)] = [
                ("main", "env_prod"), ("release/2.0", "env_stage"), ("feature-cart", "env_dev"),
                ("anything", "env_dev"), ("release/2.0/rc1", nil), ("staging", "env_dev"),
            ]
            for (branch, environment) in expected {
                #expect(
                    project.environmentId(forBranch: branch, environments: Self.environments) == environment,
                    "\(branch)")
            }
        }
    }

    @Test("a mapping wins over an environment's own branch; a negative priority still wins over no mapping")
    func mappingBeforeBranch() {
        let project = Self.project([BranchMapping(branchPattern: "stag*", environmentId: "env_dev", priority: -5)])
        #expect(project.environmentId(forBranch: "staging", environments: Self.environments) == "env_dev")
        #expect(project.environmentId(forBranch: "main", environments: Self.environments) == "env_prod")
    }

    @Test("on equal priority the longer pattern wins, then the one listed first")
    func ties() {
        func resolve(_ mappings: [BranchMapping], _ branch: String) -> String? {
            Self.project(mappings).environmentId(forBranch: branch, environments: Self.environments)
        }
        let broad = BranchMapping(branchPattern: "release/*", environmentId: "env_dev", priority: 1)
        let narrow = BranchMapping(branchPattern: "release/2.*", environmentId: "env_stage", priority: 1)
        #expect(resolve([broad, narrow], "release/2.1") == "env_stage")
        #expect(resolve([narrow, broad], "release/2.1") == "env_stage")
        #expect(resolve([broad, narrow], "release/3.0") == "env_dev")

        let first = BranchMapping(branchPattern: "hot*", environmentId: "env_prod", priority: 3)
        let second = BranchMapping(branchPattern: "*fix", environmentId: "env_stage", priority: 3)
        #expect(resolve([first, second], "hotfix") == "env_prod")
        #expect(resolve([second, first], "hotfix") == "env_stage")
    }

    @Test("a mapping to an environment that is gone is passed over")
    func deletedEnvironment() {
        let project = Self.project([
            BranchMapping(branchPattern: "main", environmentId: "env_deleted", priority: 100),
            BranchMapping(branchPattern: "ma*", environmentId: "env_stage", priority: 1),
        ])
        #expect(project.environmentId(forBranch: "main", environments: Self.environments) == "env_stage")
        #expect(project.environmentId(forBranch: "main", environments: [Self.production]) == "env_prod")
    }

    @Test("two environments on one branch: the first listed")
    func sharedBranch() {
        var copy = Self.staging
        copy.branch = "main"
        #expect(
            Self.project([]).environmentId(forBranch: "main", environments: [copy, Self.production]) == "env_stage")
    }

    @Test("a tag deploys only where a `tag:` mapping asks for it; branch patterns never take tags, nor tags branches")
    func tags() throws {
        let project = Self.project([
            BranchMapping(branchPattern: "*", environmentId: "env_dev", priority: 0),
            BranchMapping(branchPattern: "tag:v*", environmentId: "env_prod", priority: 5),
            BranchMapping(branchPattern: "tag:v*-rc*", environmentId: "env_stage", priority: 10),
        ])
        #expect(project.environmentId(forTag: "v1.2", environments: Self.environments) == "env_prod")
        #expect(project.environmentId(forTag: "v1.3-rc1", environments: Self.environments) == "env_stage")
        #expect(project.environmentId(forTag: "nightly", environments: Self.environments) == nil)
        // The branch `main` has no tag mapping; a tag named like a branch still needs a tag mapping.
        #expect(Self.project([]).environmentId(forTag: "main", environments: Self.environments) == nil)
        // `*` maps every one-segment branch, never a tag, and `tag:v*` never maps a branch named v1.
        #expect(project.environmentId(forBranch: "v1", environments: Self.environments) == "env_dev")
        #expect(
            Self.project([BranchMapping(branchPattern: "tag:v*", environmentId: "env_prod")])
                .environmentId(forBranch: "v1", environments: Self.environments) == nil)
        try Validation.branchPattern("tag:v*", field: "branchPattern")
        #expect(throws: SlipwayError.self) { try Validation.branchPattern("tag:v 1", field: "branchPattern") }
        #expect(throws: SlipwayError.self) { try Validation.branchPattern("x:v1", field: "branchPattern") }
    }
}
