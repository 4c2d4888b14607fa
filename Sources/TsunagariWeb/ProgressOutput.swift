import Foundation
import Logging
import TsunagariCore

extension ProgressReport {
    /// Progress for a person or a log: on a terminal, one line on standard error redrawn in place twice a second (each
    /// phase's last line kept); otherwise an `info` log line every five seconds per phase and one when it completes.
    public static func shown(to logger: Logger, terminal: Bool = isatty(STDERR_FILENO) == 1) -> ProgressReport {
        let meter = ProgressMeter(interval: terminal ? 0.5 : 5)
        return ProgressReport { phase, done, total in
            guard let line = meter.line(phase, done: done, total: total) else { return }
            if terminal {
                JSONLogHandler.standardError("\r\u{1B}[K" + line.text + (line.finished ? "\n" : ""))
            } else {
                logger.info("\(line.text)")
            }
        }
    }
}
