import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// Deploying, rolling back and cancelling through the API without a job runner: the deployments and jobs
/// each route queues, and what it refuses before queueing anything. Running the pipeline is the engine's
/// tests' business; here a test writes the record where the pipeline would.
@Suite("Deployments through the API")
struct DeploymentAPITests {
    typealias World = SnapshotAPITests.World

    /// The Odoo project of `SnapshotAPITests.world` (production on `main`, staging on `staging`), with two
    /// instances in production and none in staging.
    static func world(_ client: any TestClientProtocol, _ plane: TestControlPlane) async throws -> (
        world: World, web: String, shop: String
    ) {
        let world = try await SnapshotAPITests.world(client, plane)
        let web = try await SnapshotAPITests.instance(
            client, plane, world.production, name: "web", serverId: world.serverId)
        let shop = try await SnapshotAPITests.instance(
            client, plane, world.production, name: "shop", serverId: world.serverId)
        return (world, web, shop)
    }

    static func deploy(_ client: any TestClientProtocol, _ plane: TestControlPlane, _ projectId: String, _ body: String)
        async throws -> Reply
    {
        try await send(client, .post, "/api/projects/\(projectId)/deploy", token: plane.ownerToken, body: body)
    }

    static func jobCount(_ plane: TestControlPlane) async throws -> Int {
        try await plane.store.jobStatusCounts().values.reduce(0, +)
    }

    @Test("bad input and targets that do not resolve are refused before anything is queued")
    func refusals() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, _, _) = try await Self.world(client, plane)
                let jobsBefore = try await Self.jobCount(plane)
                let refused: [(body: String, status: Int, field: String?, code: String)] = [
                    (#"{}"#, 422, "branch", "invalid_field"),
                    (#"{"instanceId":"ins_x"}"#, 422, "branch", "invalid_field"),
                    (#"{"commitSha":"xyz"}"#, 422, "commitSha", "invalid_field"),
                    (#"{"commitSha":"\#(String(repeating: "a", count: 41))"}"#, 422, "commitSha", "invalid_field"),
                    (#"{"branch":"-rf"}"#, 422, "branch", "invalid_field"),
                    (#"{"branch":"a..b"}"#, 422, "branch", "invalid_field"),
                    (#"{"branch":"main","tag":"v 1"}"#, 422, "tag", "invalid_field"),
                    (#"{"branch":"main","force":true}"#, 422, "force", "invalid_field"),
                    (#"{"branch":7}"#, 422, "branch", "invalid_field"),
                    // Two environments: a commit alone does not say which.
                    (#"{"commitSha":"abc1234"}"#, 422, "branch", "invalid_field"),
                    (#"{"branch":"nowhere"}"#, 422, "branch", "invalid_field"),
                    (#"{"branch":"staging"}"#, 409, nil, "no_instances"),
                    (#"{"branch":"main","instanceId":"ins_nope"}"#, 404, nil, "not_found"),
                ]
                for (body, status, field, code) in refused {
                    let reply = try await Self.deploy(client, plane, world.projectId, body)
                    #expect(reply.status == status && reply.errorCode == code, "\(body): \(reply.text)")
                    #expect(reply.errorField == field, "\(body): \(reply.text)")
                }
                let missing = try await Self.deploy(client, plane, world.projectId, "")
                #expect(missing.status == 400 && missing.errorCode == "body_required")
                let unknownInstance = try await Self.deploy(
                    client, plane, world.projectId, #"{"branch":"main","instanceId":"ins_nope"}"#)
                #expect(unknownInstance.text.contains("instance not found"), "\(unknownInstance.text)")

                let page = try await send(
                    client, .get, "/api/projects/\(world.projectId)/deployments", token: plane.ownerToken)
                #expect(page["total"]?.int == 0 && page.items.isEmpty, "\(page.text)")
                #expect(try await Self.jobCount(plane) == jobsBefore, "no job was queued")
            }
        }
    }

    @Test("a deploy by branch queues the planned steps for every instance of the mapped environment, and a job")
    func deployByBranch() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, web, shop) = try await Self.world(client, plane)
                let reply = try await Self.deploy(client, plane, world.projectId, #"{"branch":"main"}"#)
                #expect(reply.status == 202, "\(reply.text)")
                try await SnapshotAPITests.expectMatches(reply, schema: "Deployment", client)
                #expect(reply["status"]?.string == "queued" && reply["triggerType"]?.string == "manual")
                #expect(reply["branch"]?.string == "main" && reply["environmentId"]?.string == world.production)
                #expect(reply["instanceId"] == nil && reply["cancelRequested"] == .bool(false))
                let id = try #require(reply["id"]?.string)

                let stored = try #require(
                    try await plane.store.deployment(organizationId: plane.organization.id, id: id))
                #expect(stored.steps.map(\.name) == Step.Name.allCases)
                #expect(stored.steps.allSatisfy { $0.status == .pending }, "an Odoo deploy runs its module update")
                #expect(Set(stored.targets.map(\.instanceId)) == [web, shop])
                #expect(stored.targets.allSatisfy { $0.image == nil && $0.previousImage == nil })
                let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: id)
                #expect(jobs.map(\.kind) == [.deployment] && jobs.first?.status == .queued)
                #expect(jobs.first?.concurrencyKey == world.production, "one deployment per environment at a time")

                let byId = try await send(client, .get, "/api/deployments/\(id)", token: plane.ownerToken)
                #expect(byId.status == 200 && byId["projectId"]?.string == world.projectId, "\(byId.text)")
                let page = try await send(
                    client, .get, "/api/projects/\(world.projectId)/deployments", token: plane.ownerToken)
                #expect(page["total"]?.int == 1 && page.items.first?["id"]?.string == id)

                let audit = try await send(
                    client, .get, "/api/audit-logs?resource=deployments", token: plane.ownerToken)
                #expect(
                    audit.items.contains {
                        $0["action"]?.string == "POST /api/projects/{projectId}/deploy"
                            && $0["resourceId"]?.string == id && $0["result"]?.int == 202
                    }, "\(audit.text)")
            }
        }
    }

    @Test("mappings pick the environment; an instance alone or a commit alone in a one-environment project work")
    func otherTargets() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let token = plane.ownerToken
                let (world, web, _) = try await Self.world(client, plane)
                let mapped = try await send(
                    client, .patch, "/api/projects/\(world.projectId)", token: token,
                    body:
                        #"{"branchMappings":[{"branchPattern":"release/*","environmentId":"\#(world.staging)","priority":5}]}"#
                )
                #expect(mapped.status == 200, "\(mapped.text)")
                let staged = try await SnapshotAPITests.instance(
                    client, plane, world.staging, name: "shop-staging", serverId: world.serverId)
                let release = try await Self.deploy(client, plane, world.projectId, #"{"branch":"release/2.1"}"#)
                #expect(release.status == 202 && release["environmentId"]?.string == world.staging, "\(release.text)")
                #expect(elements(release["targets"]).map { $0["instanceId"]?.string } == [staged])

                let one = try await Self.deploy(
                    client, plane, world.projectId, #"{"commitSha":"abc1234","instanceId":"\#(web)"}"#)
                #expect(one.status == 202 && one["instanceId"]?.string == web, "\(one.text)")
                #expect(one["environmentId"]?.string == world.production && one["commitSha"]?.string == "abc1234")
                #expect(elements(one["targets"]).map { $0["instanceId"]?.string } == [web], "\(one.text)")

                let generic = try await create(
                    client, "/api/projects", token: token,
                    body: #"{"name":"Site","repoUrl":"https://git.example.test/site.git","kind":"generic"}"#)
                let only = try await create(
                    client, "/api/projects/\(generic)/environments", token: token,
                    body: #"{"name":"Production","type":"production","branch":"trunk"}"#)
                let site = try await create(
                    client, "/api/environments/\(only)/instances", token: token,
                    body: #"{"name":"site","serverId":"\#(world.serverId)","port":8080}"#)
                let tagged = try await Self.deploy(client, plane, generic, #"{"tag":"v1.0.0"}"#)
                #expect(tagged.status == 202 && tagged["environmentId"]?.string == only, "\(tagged.text)")
                let id = try #require(tagged["id"]?.string)
                let stored = try #require(
                    try await plane.store.deployment(organizationId: plane.organization.id, id: id))
                #expect(stored.step(.moduleUpdate)?.status == .skipped, "a generic app has no module update")
                #expect(stored.steps.filter { $0.status == .skipped }.count == 1)
                #expect(stored.targets.map(\.instanceId) == [site])

                // An instance of another project of the organization is not this project's.
                let foreign = try await Self.deploy(
                    client, plane, generic, #"{"branch":"trunk","instanceId":"\#(web)"}"#)
                #expect(foreign.status == 404 && foreign.text.contains("instance"), "\(foreign.text)")
            }
        }
    }

    @Test("another organization's project and deployments answer 404 on every deployment route")
    func otherOrganization() async throws {
        try await TestControlPlane.with { plane in
            let outsider = try await plane.makeTenant(slug: "outsider")
            try await plane.test { client in
                let (world, _, _) = try await Self.world(client, plane)
                let queued = try await Self.deploy(client, plane, world.projectId, #"{"branch":"main"}"#)
                let id = try #require(queued["id"]?.string)
                let project = "/api/projects/\(world.projectId)"
                for (method, path, body) in [
                    (HTTPRequest.Method.post, "\(project)/deploy", #"{"branch":"main"}"#),
                    (.post, "\(project)/rollback", #"{"deploymentId":"\#(id)"}"#),
                    (.post, "\(project)/deployments/\(id)/cancel", nil),
                    (.get, "\(project)/deployments/\(id)", nil), (.get, "/api/deployments/\(id)", nil),
                    (.get, "\(project)/deployments/\(id)/events", nil),
                ] {
                    let reply = try await send(client, method, path, token: outsider.token, body: body)
                    #expect(reply.status == 404 && reply.errorCode == "not_found", "\(method) \(path): \(reply.text)")
                }
                let unknown = try await send(client, .get, "/api/deployments/dep_nope", token: plane.ownerToken)
                #expect(unknown.status == 404)
                let stored = try await plane.store.deployment(organizationId: plane.organization.id, id: id)
                #expect(stored?.status == .queued && stored?.cancelRequested == false, "the outsider changed nothing")
                let page = try await send(client, .get, "\(project)/deployments", token: plane.ownerToken)
                #expect(page["total"]?.int == 1)
            }
        }
    }
}

/// The elements of a JSON array; none for anything else.
func elements(_ value: JSONValue?) -> [JSONValue] {
    if case .array(let items)? = value { return items }
    return []
}
