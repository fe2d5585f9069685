import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway project mappings` against a live control plane: the list it reads, changes and sends back whole.
@Suite("project mappings command")
struct ProjectMappingsCommandTests {
    /// A project with two environments, Production (on `main`) and Staging (on `develop`).
    struct World: Sendable {
        var projectId: String
        var production: String
        var staging: String
    }

    static func world(_ plane: TestControlPlane, name: String = "Shop") async throws -> World {
        let organizationId = plane.organization.id
        let project = Project(
            organizationId: organizationId, name: name, repoUrl: "https://h.test/a.git", kind: .generic)
        try await plane.store.createProject(project)
        var ids: [String] = []
        for (environmentName, type, branch) in [
            ("Production", SlipwayCore.Environment.Kind.production, "main"), ("Staging", .staging, "develop"),
        ] {
            let environment = SlipwayCore.Environment(
                organizationId: organizationId, projectId: project.id, name: environmentName, type: type,
                branch: branch)
            try await plane.store.createEnvironment(environment)
            ids.append(environment.id)
        }
        return World(projectId: project.id, production: ids[0], staging: ids[1])
    }

    static func stored(_ plane: TestControlPlane, _ world: World) async throws -> Project {
        try #require(try await plane.store.project(organizationId: plane.organization.id, id: world.projectId))
    }

    /// The table's rows below its header, each split into its cells.
    static func rows(_ out: String) -> [[String]] {
        out.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
    }

    @Test("add by name or id, replace, remove: the whole list is sent, highest priority first, and printed")
    func addReplaceRemove() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await Self.world(plane)
            let mappings = ["project", "mappings", "--project", world.projectId]
            let empty = await cli.run(mappings)
            #expect(empty.code == 0 && empty.out == "No branch mappings.", "\(empty.out) \(empty.err)")
            #expect(empty.err.contains("--add 'release/*=ENV:5'"), "\(empty.err)")

            // By name, by name in another case, by id; priority 0 when left out.
            let added = await cli.run(
                mappings + [
                    "--add", "release/*=Staging:5", "--add", "tag:v*=\(world.production)", "--add",
                    "main=production:10", "--add", "feature-*=Staging:-3",
                ])
            try #require(added.code == 0, "\(added.err)")
            var project = try await Self.stored(plane, world)
            #expect(
                project.branchMappings == [
                    BranchMapping(branchPattern: "main", environmentId: world.production, priority: 10),
                    BranchMapping(branchPattern: "release/*", environmentId: world.staging, priority: 5),
                    BranchMapping(branchPattern: "tag:v*", environmentId: world.production, priority: 0),
                    BranchMapping(branchPattern: "feature-*", environmentId: world.staging, priority: -3),
                ])
            #expect(added.out.hasPrefix("PATTERN") && added.out.contains("ENVIRONMENT-ID"), "\(added.out)")
            #expect(
                Self.rows(added.out) == [
                    ["main", "Production", world.production, "10"], ["release/*", "Staging", world.staging, "5"],
                    ["tag:v*", "Production", world.production, "0"], ["feature-*", "Staging", world.staging, "-3"],
                ], "\(added.out)")
            #expect(added.err.contains("Saved 4 branch mapping(s) of project \(world.projectId)."), "\(added.err)")
            let listed = await cli.run(mappings)
            #expect(listed.code == 0 && listed.out == added.out, "\(listed.out)")

            // What a push then deploys.
            let environments = try await plane.store.environments(
                organizationId: plane.organization.id, projectId: world.projectId)
            #expect(project.environmentId(forBranch: "release/1.2", environments: environments) == world.staging)
            #expect(project.environmentId(forTag: "v1.0", environments: environments) == world.production)

            // The same pattern again replaces its mapping; a removal goes before the additions.
            let changed = await cli.run(
                mappings + ["--add", "release/*=Production:7", "--remove", "tag:v*", "--remove", "feature-*"])
            try #require(changed.code == 0, "\(changed.err)")
            project = try await Self.stored(plane, world)
            #expect(
                project.branchMappings == [
                    BranchMapping(branchPattern: "main", environmentId: world.production, priority: 10),
                    BranchMapping(branchPattern: "release/*", environmentId: world.production, priority: 7),
                ])
            #expect(project.environmentId(forTag: "v1.0", environments: environments) == nil)
            #expect(project.environmentId(forBranch: "release/1.2", environments: environments) == world.production)
            #expect(Self.rows(changed.out).map(\.first) == ["main", "release/*"], "\(changed.out)")

            let json = await cli.run(mappings + ["--add", "hotfix/*=Staging", "--json"])
            try #require(json.code == 0, "\(json.err)")
            let answered = try JSONCoding.decoder().decode(Project.self, from: Data(json.out.utf8))
            #expect(
                answered.id == world.projectId
                    && answered.branchMappings.map(\.branchPattern) == [
                        "main", "release/*", "hotfix/*",
                    ])
            #expect(json.err.isEmpty, "--json prints the JSON alone: \(json.err)")
            #expect(try await Self.stored(plane, world).branchMappings == answered.branchMappings)

            // Deleting an environment deletes the mappings to it.
            let deleted = await cli.run(["env", "delete", world.staging, "--yes"])
            try #require(deleted.code == 0, "\(deleted.err)")
            let after = await cli.run(mappings)
            #expect(Self.rows(after.out).map(\.first) == ["main", "release/*"], "\(after.out)")
        }
    }

    @Test("bad --add values are usage errors; nothing is sent")
    func argumentChecks() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await Self.world(plane)
            let mappings = ["project", "mappings", "--project", world.projectId]
            for (extra, says) in [
                (["--add", "a..b=Production"], "--add pattern 'a..b' is not a valid git ref name"),
                (["--add", "tag:v 1=Production"], "--add pattern 'tag:v 1' is not a valid git ref name"),
                (["--add", "release/*/=Production"], "is not a valid git ref name"),
                (["--add", "tag:=Production"], "--add pattern 'tag:' is not a valid git ref name"),
                (["--add", "=Production"], "--add pattern '' is not a valid git ref name"),
                (["--add", "main"], "--add must be PATTERN=ENV or PATTERN=ENV:PRIORITY, like 'release/*=staging:5'"),
                (["--add", "main="], "--add must be PATTERN=ENV"),
                (["--add", "main=:5"], "--add must be PATTERN=ENV"),
                (["--add", "main=Production:5000"], "--add priority must be -1000 to 1000 (got 5000)"),
                (["--add", "main=Production", "--add", "main=Staging:2"], "--add gives the pattern 'main' twice"),
            ] {
                let result = await cli.run(mappings + extra)
                #expect(result.code == 2, "\(extra): \(result.err)")
                #expect(result.err.contains(says), "\(extra): \(result.err)")
                #expect(result.out.isEmpty, "\(extra): \(result.out)")
            }
            #expect(try await Self.stored(plane, world).branchMappings.isEmpty)
        }
    }

    @Test("an unknown environment, a pattern that is not there, an unknown project: refused, nothing changed")
    func refusals() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await Self.world(plane)
            let other = try await Self.world(plane, name: "Blog")
            let mappings = ["project", "mappings", "--project", world.projectId]
            let first = await cli.run(mappings + ["--add", "main=Production:10"])
            try #require(first.code == 0, "\(first.err)")
            let before = try await Self.stored(plane, world)

            let unknown = await cli.run(mappings + ["--add", "release/*=qa"])
            #expect(unknown.code == 1, "\(unknown.err)")
            #expect(
                unknown.err.contains("error: project \(world.projectId) has no environment 'qa' (field: --add)"),
                "\(unknown.err)")
            #expect(
                unknown.err.contains(
                    "hint: give the id or the name of one of its environments: Production (\(world.production)), "
                        + "Staging (\(world.staging))"), "\(unknown.err)")

            // Another project's environment is not one of this project's, even by id.
            let foreign = await cli.run(mappings + ["--add", "release/*=\(other.staging)"])
            #expect(
                foreign.code == 1 && foreign.err.contains("has no environment '\(other.staging)'"), "\(foreign.err)")

            let missing = await cli.run(mappings + ["--remove", "hotfix/*"])
            #expect(missing.code == 1, "\(missing.err)")
            #expect(
                missing.err.contains(
                    "error: project \(world.projectId) has no branch mapping 'hotfix/*' (field: --remove)"),
                "\(missing.err)")
            #expect(missing.err.contains("hint: its patterns: 'main'"), "\(missing.err)")

            // One bad part and the good ones are not saved either.
            let mixed = await cli.run(mappings + ["--add", "release/*=Staging", "--remove", "hotfix/*"])
            #expect(mixed.code == 1 && mixed.out.isEmpty, "\(mixed.out) \(mixed.err)")
            let mixedName = await cli.run(mappings + ["--remove", "main", "--add", "release/*=qa"])
            #expect(mixedName.code == 1 && mixedName.out.isEmpty, "\(mixedName.out) \(mixedName.err)")

            let noProject = await cli.run(["project", "mappings", "--project", "prj_nope", "--add", "main=Production"])
            #expect(noProject.code == 1 && noProject.err.contains("error: project not found"), "\(noProject.err)")
            #expect(noProject.err.contains("hint: check the id with `slipway project list`"), "\(noProject.err)")

            #expect(try await Self.stored(plane, world) == before, "no refusal changed the mappings")
            #expect(try await Self.stored(plane, other).branchMappings.isEmpty)
        }
    }
}
