import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// A second organization's token walks the whole route table with the first organization's ids:
/// every record is answered 404, no list shows it, and nothing of it changes.
@Suite("Tenant isolation")
struct IsolationTests {
    @Test(
        "another organization's records are 404 on every route, and absent from every list",
        arguments: StoreKind.allCases)
    func walkRouteTable(kind: StoreKind) async throws {
        try await TestControlPlane.with(kind) { plane in
            let outsider = try await plane.makeTenant(slug: "outsider")
            let outsiderKey = try await plane.makeAPIKey(in: outsider.organization, permissions: Permission.all)
            let owner = plane.ownerToken
            try await plane.test { client in
                // One of everything in the first organization, made through the API.
                let serverId = try await create(
                    client, "/api/servers", token: owner,
                    body: #"{"name":"web1","host":"10.0.0.5","user":"deploy","password":"s3cret-pass"}"#)
                try await markActive(plane, serverId: serverId)
                let projectId = try await create(
                    client, "/api/projects", token: owner,
                    body: #"{"name":"Shop","repoUrl":"https://git.example.test/shop.git","kind":"odoo"}"#)
                let environmentId = try await create(
                    client, "/api/projects/\(projectId)/environments", token: owner,
                    body: #"{"name":"Production","type":"production","branch":"main"}"#)
                let instanceId = try await create(
                    client, "/api/environments/\(environmentId)/instances", token: owner,
                    body: #"{"name":"web","serverId":"\#(serverId)","port":8069}"#)
                let roleId = try await create(
                    client, "/api/roles", token: owner,
                    body: #"{"name":"Deployers","permissions":["manage:deployments"]}"#)
                let apiKeyId = try await create(
                    client, "/api/api-keys", token: owner, body: #"{"name":"ci","role":"viewer"}"#)
                let deployment = Deployment(
                    organizationId: plane.organization.id, projectId: projectId, environmentId: environmentId,
                    triggerType: .manual, branch: "main")
                try await plane.store.createDeployment(deployment)
                let snapshot = Snapshot(
                    organizationId: plane.organization.id, environmentId: environmentId, instanceId: instanceId,
                    kind: .manual, status: .completed)
                try await plane.store.createSnapshot(snapshot)
                let restore = Restore(
                    organizationId: plane.organization.id, environmentId: environmentId, snapshotId: snapshot.id,
                    instanceId: instanceId)
                try await plane.store.createRestore(restore)
                let me = try await send(client, .get, "/api/me", token: owner)
                let ownerId = try #require(me["user"]?["id"]?.string)
                let ids = [
                    "organizationId": plane.organization.id, "userId": ownerId, "roleId": roleId, "apiKeyId": apiKeyId,
                    "serverId": serverId, "projectId": projectId, "environmentId": environmentId,
                    "instanceId": instanceId,
                    "deploymentId": deployment.id, "snapshotId": snapshot.id, "restoreId": restore.id,
                ]
                let secretIds = Set(ids.values)
                let operations = try await documentedOperations(client)
                #expect(operations.count == RouteTable.all.count)

                for token in [outsider.token, outsiderKey] {
                    for route in operations where route.path.hasPrefix("/api/") && route.path != "/api/openapi.json" {
                        let path = route.concretePath(ids)
                        let reply = try await send(
                            client, route.method, path, token: token, body: route.hasBody ? "{}" : nil)
                        if route.path == "/api/audit-logs" {
                            // The caller's own log records the ids the caller sent in its failed attempts: its own input, no leak.
                            #expect(reply.status == 200)
                        } else if route.path == "/api/projects/{projectId}/webhooks/{provider}", route.method == .post {
                            // Where Git providers post, without a token: an unsigned delivery gets the same 401
                            // whether or not the project exists.
                            #expect(reply.status == 401 && reply.errorCode == "unverified", "\(reply.text)")
                        } else if !route.path.contains("{") {
                            // Lists and creations in one's own organization: whatever they answer, never the other's ids.
                            for id in secretIds {
                                #expect(
                                    !reply.text.contains(id),
                                    "\(route.method) \(route.path) showed \(id): \(reply.text.prefix(300))")
                            }
                        } else {
                            #expect(
                                reply.status == 404,
                                "\(route.method) \(path) answered \(reply.status) to another org: \(reply.text.prefix(200))"
                            )
                        }
                    }
                }

                // Nothing of the first organization changed.
                for path in [
                    "/api/servers/\(serverId)", "/api/projects/\(projectId)", "/api/environments/\(environmentId)",
                    "/api/instances/\(instanceId)", "/api/api-keys/\(apiKeyId)",
                    "/api/projects/\(projectId)/deployments/\(deployment.id)",
                    "/api/organizations/\(plane.organization.id)", "/api/members/\(ownerId)",
                    "/api/environments/\(environmentId)/snapshots/\(snapshot.id)",
                    "/api/environments/\(environmentId)/restores/\(restore.id)",
                ] {
                    let reply = try await send(client, .get, path, token: owner)
                    #expect(reply.status == 200, "GET \(path) answered \(reply.status) to its owner after the walk")
                }
                let key = try await send(client, .get, "/api/api-keys/\(apiKeyId)", token: owner)
                #expect(key["revokedAt"] == nil)
                let project = try await send(client, .get, "/api/projects/\(projectId)", token: owner)
                #expect(project["name"]?.string == "Shop")
                let kept = try await plane.store.snapshot(organizationId: plane.organization.id, id: snapshot.id)
                #expect(kept?.pinned == false, "the walk's pin did not reach it")
                let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: snapshot.id)
                #expect(jobs.isEmpty)
                #expect(
                    try await plane.store.restores(organizationId: plane.organization.id, environmentId: environmentId)
                        .map(\.id) == [restore.id], "the walk queued no restore")
            }
        }
    }
}

/// One operation of the served OpenAPI document.
struct DocumentedOperation {
    var method: HTTPRequest.Method
    var path: String
    var hasBody: Bool

    /// The path with each `{name}` replaced by `ids[name]`.
    func concretePath(_ ids: [String: String]) -> String {
        ids.reduce(path) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

/// The operations `GET /api/openapi.json` lists: the route table as a client sees it.
func documentedOperations(_ client: any TestClientProtocol) async throws -> [DocumentedOperation] {
    let document = try await send(client, .get, "/api/openapi.json")
    guard case .object(let paths)? = document["paths"] else { throw DocumentError() }
    var operations: [DocumentedOperation] = []
    for (path, entry) in paths.sorted(by: { $0.key < $1.key }) {
        guard case .object(let byMethod) = entry else { throw DocumentError() }
        for (name, operation) in byMethod.sorted(by: { $0.key < $1.key }) {
            guard let method = HTTPRequest.Method(name.uppercased()) else { throw DocumentError() }
            operations.append(DocumentedOperation(method: method, path: path, hasBody: operation["requestBody"] != nil))
        }
    }
    return operations
}

struct DocumentError: Error {}
