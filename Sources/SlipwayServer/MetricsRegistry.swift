import Foundation
import Synchronization

/// Request counts and latencies by route and status, rendered as Prometheus text.
/// Kept in-process (no global metrics bootstrap) so tests can run many servers side by side.
public final class MetricsRegistry: Sendable {
    struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    struct Latency {
        var buckets: [Int]
        var sum: Double = 0
        var count: Int = 0
    }

    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct State {
        var requests: [Key: Int] = [:]
        var latencies: [String: Latency] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func record(method: String, route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[Key(method: method, route: route, status: status), default: 0] += 1
            let name = "\(method) \(route)"
            var latency = state.latencies[name] ?? Latency(buckets: Array(repeating: 0, count: Self.bounds.count))
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { latency.buckets[index] += 1 }
            latency.sum += seconds
            latency.count += 1
            state.latencies[name] = latency
        }
    }

    /// The Prometheus text exposition, with `gauges` (like job counts) appended.
    public func render(gauges: [(name: String, help: String, labels: [String: String], value: Int)] = []) -> String {
        let snapshot = state.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP slipway_http_requests_total HTTP requests by route and status.")
        lines.append("# TYPE slipway_http_requests_total counter")
        for (key, count) in snapshot.requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines.append(
                "slipway_http_requests_total{method=\"\(key.method)\",route=\"\(escape(key.route))\",status=\"\(key.status)\"} \(count)"
            )
        }
        lines.append("# HELP slipway_http_request_duration_seconds HTTP request latency by route.")
        lines.append("# TYPE slipway_http_request_duration_seconds histogram")
        for (name, latency) in snapshot.latencies.sorted(by: { $0.key < $1.key }) {
            let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
            let labels = "method=\"\(parts[0])\",route=\"\(escape(parts.count > 1 ? parts[1] : ""))\""
            for (index, bound) in Self.bounds.enumerated() {
                lines.append(
                    "slipway_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(latency.buckets[index])")
            }
            lines.append("slipway_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(latency.count)")
            lines.append("slipway_http_request_duration_seconds_sum{\(labels)} \(latency.sum)")
            lines.append("slipway_http_request_duration_seconds_count{\(labels)} \(latency.count)")
        }
        var described = Set<String>()
        for gauge in gauges {
            if described.insert(gauge.name).inserted {
                lines.append("# HELP \(gauge.name) \(gauge.help)")
                lines.append("# TYPE \(gauge.name) gauge")
            }
            let labels = gauge.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(
                separator: ",")
            lines.append("\(gauge.name){\(labels)} \(gauge.value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
