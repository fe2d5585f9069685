import Foundation
import SlipwayCore

/// Verifying a server (a durable job the user can watch through the server's provisioning steps)
/// and accepting a changed host key.
enum ServerVerificationRoutes {
    struct TrustHostKey: Decodable {
        var fingerprint: String
        static let schema = Schema.object(
            properties: ["fingerprint": .string(minLength: 8, maxLength: 200, pattern: "^SHA256:[A-Za-z0-9+/]+=*$")],
            required: ["fingerprint"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/servers/{serverId}/verify", access: .permission(.manage(.servers)),
            summary: "Queue a verification: connect, pin the host key, read the facts, check (or install) Docker",
            resource: "servers", status: .accepted, response: .reference("Job")
        ) { call in
            var server = try await server(call)
            let now = call.backend.clock()
            server.status = .provisioning
            server.statusReason = "queued"
            server.provisioningSteps = ProvisioningStep.plan
            _ = try await call.store.updateServer(server)
            let job = Job(
                organizationId: server.organizationId, kind: .serverVerify, subjectId: server.id,
                concurrencyKey: "server:\(server.id)", createdAt: now)
            try await call.store.enqueueJob(job)
            return .json(job)
        },
        APIRoute(
            .get, "/api/servers/{serverId}/jobs", access: .permission(.view(.servers)),
            summary: "The server's verification jobs, newest first", resource: "servers", response: Schemas.list("Job")
        ) { call in
            let server = try await server(call)
            return .json(
                ItemList(try await call.store.jobs(organizationId: server.organizationId, subjectId: server.id)))
        },
        APIRoute(
            .post, "/api/servers/{serverId}/trust-host-key", access: .permission(.manage(.servers)),
            summary: "Pin the host key fingerprint a verification reported, after you checked it is the server's",
            resource: "servers", body: TrustHostKey.schema, response: .reference("Server")
        ) { call in
            var server = try await server(call)
            let input = try call.decode(TrustHostKey.self)
            guard input.fingerprint.hasPrefix("SHA256:"), input.fingerprint.count > 20,
                input.fingerprint.dropFirst(7).allSatisfy({ $0.isLetter || $0.isNumber || "+/=".contains($0) })
            else {
                throw SlipwayError.invalid(
                    "fingerprint", "must be a SHA256 fingerprint as ssh-keygen -l prints it: SHA256:...")
            }
            server.hostKeyFingerprint = input.fingerprint
            guard let updated = try await call.store.updateServer(server) else { throw SlipwayError.notFound("server") }
            return .json(updated)
        },
    ]

    static func server(_ call: RouteCall) async throws -> Server {
        guard
            let server = try await call.store.server(
                organizationId: try call.caller.organization.id, id: try call.parameter("serverId"))
        else { throw SlipwayError.notFound("server") }
        return server
    }
}
