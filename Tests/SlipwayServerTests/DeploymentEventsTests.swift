import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// A deployment followed over Server-Sent Events on a live port: the test writes the record where the
/// pipeline would (no engine runs in `TestControlPlane`) and reads the events as they come.
@Suite("Deployment events")
struct DeploymentEventsTests {
    @Test(
        "the stream replays every step, sends each change of status or output, and ends after the deployment event",
        .timeLimit(.minutes(1)))
    func follow() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test(.live) { client in
                let port = try #require(client.port)
                let store = plane.store
                let (world, _, _) = try await DeploymentAPITests.world(client, plane)
                let queued = try await DeploymentAPITests.deploy(client, plane, world.projectId, #"{"branch":"main"}"#)
                let id = try #require(queued["id"]?.string)
                var deployment = try #require(try await store.deployment(organizationId: plane.organization.id, id: id))
                let path = "/api/projects/\(world.projectId)/deployments/\(id)/events"
                var stream = try await RestoreEventsTests.open(port: port, path, token: plane.ownerToken)
                #expect(stream.status == 200 && stream.contentType == "text/event-stream")

                var replayed: [String] = []
                for _ in Step.Name.allCases {
                    let event = try #require(try await stream.next())
                    #expect(event.type == "step" && event["status"]?.string == "pending")
                    replayed.append("\(event.id ?? "-") \(event["name"]?.string ?? "-")")
                }
                #expect(replayed == Step.Name.allCases.enumerated().map { "\($0.offset) \($0.element.rawValue)" })

                // The pipeline's stand-in: it begins the snapshot step, then writes a line of its output.
                let start = Date()
                deployment.status = .running
                deployment.startedAt = start
                deployment.steps[0].status = .running
                deployment.steps[0].startedAt = start
                _ = try await store.updateDeployment(deployment)
                let begun = try #require(try await stream.next())
                #expect(begun.id == "0" && begun["status"]?.string == "running", "\(begun)")
                deployment.steps[0].output = "pg_dump shop_web\n"
                try await store.updateDeploymentStep(deploymentId: id, position: 0, deployment.steps[0])
                let output = try #require(try await stream.next())
                #expect(output.id == "0" && output["output"]?.string == "pg_dump shop_web\n", "\(output)")

                // Every step completes and the record ends in one write.
                for index in deployment.steps.indices {
                    deployment.steps[index].status = .completed
                    deployment.steps[index].completedAt = start + 5
                    deployment.steps[index].durationMs = 5000
                }
                deployment.status = .completed
                deployment.commitSha = String(repeating: "c", count: 40)
                deployment.completedAt = start + 5
                deployment.durationMs = 5000
                _ = try await store.updateDeployment(deployment)
                var changed: [String] = []
                var final: RestoreEventsTests.Event?
                while let event = try await stream.next() {
                    if event.type == "deployment" {
                        final = event
                    } else {
                        changed.append(event.id ?? "-")
                    }
                }
                #expect(changed == (0..<Step.Name.allCases.count).map(String.init), "each changed step once")
                let ended = try #require(final, "the stream ended after a deployment event")
                #expect(ended.id == nil && ended["id"]?.string == id && ended["status"]?.string == "completed")
                #expect(ended["commitSha"]?.string == deployment.commitSha && ended["durationMs"]?.int == 5000)

                // An ended deployment replays at once and ends; Last-Event-ID skips the steps seen before it.
                var resumed = try await RestoreEventsTests.open(
                    port: port, path, token: plane.ownerToken, lastEventId: "7")
                var rest: [String] = []
                while let event = try await resumed.next() { rest.append("\(event.type ?? "") \(event.id ?? "-")") }
                #expect(rest == ["step 7", "step 8", "deployment -"])
            }
        }
    }

    @Test("a cancelled queued deployment ends its stream too; the document declares the stream")
    func cancelledEnds() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test(.live) { client in
                let port = try #require(client.port)
                let (world, _, _) = try await DeploymentAPITests.world(client, plane)
                let queued = try await DeploymentAPITests.deploy(client, plane, world.projectId, #"{"branch":"main"}"#)
                let id = try #require(queued["id"]?.string)
                let deployment = "/api/projects/\(world.projectId)/deployments/\(id)"
                var stream = try await RestoreEventsTests.open(
                    port: port, deployment + "/events", token: plane.ownerToken)
                #expect(try await stream.next()?.id == "0")
                let cancelled = try await send(client, .post, deployment + "/cancel", token: plane.ownerToken)
                #expect(cancelled.status == 202)
                var last: RestoreEventsTests.Event?
                while let event = try await stream.next() { last = event }
                #expect(
                    last?.type == "deployment" && last?["status"]?.string == "cancelled", "\(String(describing: last))")

                let document = try await send(client, .get, "/api/openapi.json")
                let operation = document["paths"]?["/api/projects/{projectId}/deployments/{deploymentId}/events"]?[
                    "get"]
                #expect(operation?["responses"]?["200"]?["content"]?["text/event-stream"] != nil)
            }
        }
    }
}
