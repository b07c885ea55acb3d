import Experiments
import ArgumentParser
import Foundation
import MetaLearning

/// What the supervised commands (sinusoid, few-shot classification) share.
enum SupervisedCommands {
    static func parseAlgorithm(_ name: String?, supported: [Method]) throws -> Method? {
        try name.map { try Method(parsing: $0, supported: supported) }
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
