import Dispatch
import Synchronization

/// A counting semaphore for both threads and tasks: at most `limit` holders at once,
/// the others wait their turn in arrival order. Decoding a 12-megapixel photo takes tens
/// of megabytes for a moment; the gate keeps a burst of uploads from multiplying that.
public final class PhotoGate: Sendable {
    /// The gate every processor uses unless given another: two images at a time per process.
    public static let shared = PhotoGate(limit: 2)

    /// How many may hold the gate at once (at least 1).
    public let limit: Int

    private enum Waiter {
        case task(CheckedContinuation<Void, Never>)
        case thread(DispatchSemaphore)
    }

    private struct State {
        var inUse = 0
        var highWater = 0
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Holders now.
    public var inUse: Int { state.withLock { $0.inUse } }

    /// Waiting now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// The most holders seen at once since the gate was made.
    public var highWater: Int { state.withLock { $0.highWater } }

    /// Takes a place, suspending (not blocking a thread) while the gate is full.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let entered = state.withLock { state -> Bool in
                if state.inUse < limit {
                    state.inUse += 1
                    state.highWater = max(state.highWater, state.inUse)
                    return true
                }
                state.waiters.append(.task(continuation))
                return false
            }
            if entered { continuation.resume() }
        }
    }

    /// Takes a place, blocking the calling thread while the gate is full.
    func acquireBlocking() {
        let semaphore = DispatchSemaphore(value: 0)
        let entered = state.withLock { state -> Bool in
            if state.inUse < limit {
                state.inUse += 1
                state.highWater = max(state.highWater, state.inUse)
                return true
            }
            state.waiters.append(.thread(semaphore))
            return false
        }
        if !entered { semaphore.wait() }
    }

    /// Gives the place back, or hands it straight to the longest waiter.
    func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.inUse -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        switch next {
        case .task(let continuation): continuation.resume()
        case .thread(let semaphore): semaphore.signal()
        case nil: break
        }
    }
}
