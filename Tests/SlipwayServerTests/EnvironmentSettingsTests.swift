import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// An environment's deploy settings: the health check's deadline and which Odoo modules a deployment
/// updates. Bad values are refused naming the field, and change nothing.
@Suite("Environment deploy settings")
struct EnvironmentSettingsTests {
    @Test("defaults, a listed module update, and refusals that name the field and change nothing")
    func settings() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let projectId = try await create(
                    client, "/api/projects", token: plane.ownerToken,
                    body: #"{"name":"Shop","repoUrl":"https://h.test/a.git","kind":"odoo"}"#)
                let path = "/api/projects/\(projectId)/environments"
                let plain = try await send(
                    client, .post, path, token: plane.ownerToken,
                    body: #"{"name":"Production","type":"production","branch":"main"}"#)
                #expect(plain.status == 201)
                #expect(plain["healthCheckTimeoutSeconds"]?.int == 90)
                #expect(plain["moduleUpdate"]?.string == "changed")

                let listed = try await send(
                    client, .post, path, token: plane.ownerToken,
                    body:
                        #"{"name":"Staging","type":"staging","branch":"develop","healthCheckTimeoutSeconds":300,"moduleUpdate":"listed","moduleUpdateModules":["sale","stock"]}"#
                )
                #expect(listed.status == 201, "\(listed.text)")
                #expect(listed["healthCheckTimeoutSeconds"]?.int == 300)
                #expect(listed["moduleUpdateModules"] == .array([.string("sale"), .string("stock")]))

                for (body, field) in [
                    (#""healthCheckTimeoutSeconds":2"#, "healthCheckTimeoutSeconds"),
                    (#""moduleUpdate":"listed""#, "moduleUpdateModules"),
                    (#""moduleUpdate":"some""#, "moduleUpdate"),
                    (#""moduleUpdate":"listed","moduleUpdateModules":["Sale; drop"]"#, "moduleUpdateModules"),
                ] {
                    let refused = try await send(
                        client, .post, path, token: plane.ownerToken,
                        body: #"{"name":"Dev","type":"development","branch":"dev",\#(body)}"#)
                    #expect(refused.status == 422, "\(body): \(refused.text)")
                    #expect(refused.errorField == field, "\(body): \(refused.text)")
                }
                let environments = try await plane.store.environments(
                    organizationId: plane.organization.id, projectId: projectId)
                #expect(environments.map(\.name) == ["Production", "Staging"])

                let environmentId = try #require(plain["id"]?.string)
                let patched = try await send(
                    client, .patch, "/api/environments/\(environmentId)", token: plane.ownerToken,
                    body: #"{"moduleUpdate":"none","healthCheckTimeoutSeconds":30}"#)
                #expect(patched.status == 200, "\(patched.text)")
                #expect(patched["moduleUpdate"]?.string == "none")
                let badPatch = try await send(
                    client, .patch, "/api/environments/\(environmentId)", token: plane.ownerToken,
                    body: #"{"moduleUpdate":"listed"}"#)
                #expect(badPatch.status == 422)
                let stored = try #require(
                    try await plane.store.environment(organizationId: plane.organization.id, id: environmentId))
                #expect(stored.moduleUpdate == .none && stored.healthCheckTimeoutSeconds == 30)
            }
        }
    }
}
