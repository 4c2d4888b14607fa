import Dispatch
import Foundation
import Testing
@testable import TsunagariPhotos

/// At most two images at once: a burst of uploads waits its turn instead of multiplying
/// the memory a decode takes.
@Suite("Bounded concurrency")
struct PhotoGateTests {
    @Test("Tasks beyond the limit wait, and all of them get through", .enabled(if: Libvips.shouldRun, Libvips.skipNotice))
    func asyncBurst() async throws {
        let gate = PhotoGate(limit: 2)
        let processor = PhotoProcessor(gate: gate)
        let input = try PhotoSynth.photograph(width: 1600, height: 1200, seed: 9)
        let sizes = try await withThrowingTaskGroup(of: [PixelSize].self) { group in
            for _ in 0..<8 {
                group.addTask { try await processor.submit(input, kind: .photo).renditions.map(\.size) }
            }
            return try await group.reduce(into: [[PixelSize]]()) { $0.append($1) }
        }
        #expect(sizes.count == 8)
        #expect(sizes.allSatisfy { $0 == PhotoKind.photo.sizes })
        #expect(gate.highWater <= 2)
        #expect(gate.inUse == 0 && gate.waiting == 0)
    }

    @Test("Threads beyond the limit block until a place frees", .enabled(if: Libvips.shouldRun, Libvips.skipNotice))
    func threadBurst() throws {
        let gate = PhotoGate(limit: 2)
        let processor = PhotoProcessor(gate: gate)
        let input = try PhotoSynth.photograph(width: 1600, height: 1200, seed: 10)
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do throws(PhotoError) { _ = try processor.process(input, kind: .banner) } catch { failures.increment() }
        }
        #expect(failures.value == 0)
        #expect(gate.highWater <= 2)
        #expect(gate.inUse == 0)
    }

    @Test("The gate never lets more than its limit in, from tasks and threads at once")
    func gateAlone() async {
        let gate = PhotoGate(limit: 2)
        let inside = Counter(), peak = Counter()
        @Sendable func hold() {
            let now = inside.increment()
            peak.raise(to: now)
            usleep(2_000)
            inside.decrement()
        }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    if index % 2 == 0 {
                        await gate.acquire()
                        hold()
                        gate.release()
                    } else {
                        // A thread that blocks, as `process` does.
                        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                            Thread.detachNewThread {
                                gate.acquireBlocking()
                                hold()
                                gate.release()
                                done.resume()
                            }
                        }
                    }
                }
            }
        }
        #expect(peak.value == 2)
        #expect(gate.highWater == 2)
        #expect(gate.inUse == 0 && gate.waiting == 0)
        #expect(PhotoGate.shared.limit == 2)
        #expect(PhotoGate(limit: 0).limit == 1)
    }

    @Test("Refusals do not wait for the gate")
    func refusalsSkipTheGate() async {
        let gate = PhotoGate(limit: 1)
        let processor = PhotoProcessor(gate: gate)
        await gate.acquire()
        // The only place is taken; a refusal still comes back at once.
        let error = photoError { () throws(PhotoError) in try processor.process(Array("not an image".utf8), kind: .photo) }
        #expect(error == .notAnImage)
        do {
            _ = try await processor.submit(Array("not an image".utf8), kind: .photo)
            Issue.record("text was accepted")
        } catch {
            #expect(error == .notAnImage)
        }
        gate.release()
        #expect(gate.inUse == 0)
    }
}

/// A thread-safe counter for the concurrency tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    @discardableResult
    func increment() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }

    func decrement() {
        lock.withLock { count -= 1 }
    }

    /// Keeps the larger of the value and `candidate`.
    func raise(to candidate: Int) {
        lock.withLock { count = max(count, candidate) }
    }

    var value: Int { lock.withLock { count } }
}
