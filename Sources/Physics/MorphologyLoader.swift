import Config
import Foundation
import Yams

extension Morphology {
    /// Parses a morphology from YAML or JSON text (JSON is YAML). `file` names it in errors.
    /// Parses a morphology from YAML or JSON text (JSON is YAML) with the configs' reader
    /// (`Config.composeYAML`); `file` names it in errors, which are `ConfigError`s.
    public static func parse(_ text: String, file: String) throws -> Morphology {
        let root = try composeYAML(text, file: file)
        if case .mapping(let top) = root, top.isEmpty { throw ConfigError(file: file, key: "", message: "the file is empty") }
        return try MorphologyReader(file: file).morphology(root)
    }

    /// Loads `path` (YAML or JSON); read errors and malformed content name the file.
    public static func load(file path: String) throws -> Morphology {
        try parse(try readYAMLFile(URL(fileURLWithPath: path)), file: path)
    }
}

/// Reads the morphology tree, tracking the key path so every error can name it.
/// Unknown keys are errors too (a typo must not silently fall back to a default).
private struct MorphologyReader {
    let file: String

    func fail(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: key, message: message)
    }

    func morphology(_ node: Node) throws -> Morphology {
        let top = try map(node, "", allowed: ["name", "ground", "defaults", "initialPose", "bodies", "totalMass"])
        let name = try string(top, "name", "")
        let g = try map(required(top, "ground", ""), "ground", allowed: ["friction", "halfWidth"])
        let ground = GroundSpec(friction: try number(g, "friction", "ground", range: 0...10),
                                halfWidth: try number(g, "halfWidth", "ground", default: 1000, range: 1...1e5))
        let defaults = try top["defaults"].map {
            try map($0, "defaults", allowed: ["radius", "density", "friction", "armature", "stiffness",
                                               "damping", "collisionGroup", "color"])
        } ?? [:]
        let p = try map(required(top, "initialPose", ""), "initialPose", allowed: ["position", "angle"])
        let pose = Pose(position: try vec2(p, "position", "initialPose"),
                        angle: try number(p, "angle", "initialPose", default: 0))
        guard let list = try required(top, "bodies", "").sequence, !list.isEmpty else {
            throw fail("bodies", "expected a non-empty list of bodies")
        }
        var bodies: [BodySpec] = []
        for (i, item) in list.enumerated() {
            bodies.append(try body(item, "bodies[\(i)]", defaults: defaults, earlier: bodies))
        }
        // MuJoCo's `settotalmass`: scale every density so the robot weighs this much in total.
        if top["totalMass"] != nil {
            let target = try number(top, "totalMass", "", range: 1e-3...1e6)
            let factor = target / bodies.reduce(0) { $0 + $1.shapes.reduce(0) { $0 + $1.mass } }
            for b in bodies.indices { for s in bodies[b].shapes.indices { bodies[b].shapes[s].density *= factor } }
        }
        return Morphology(name: name, file: file, ground: ground, initialPose: pose, bodies: bodies)
    }

    func body(_ node: Node, _ path: String, defaults: [String: Node], earlier: [BodySpec]) throws -> BodySpec {
        let m = try map(node, path, allowed: ["name", "parent", "anchor", "joint", "shapes", "foot", "collisionGroup", "color"])
        let name = try string(m, "name", path)
        if earlier.contains(where: { $0.name == name }) { throw fail(path + ".name", "duplicate body name '\(name)'") }
        var parent: Int?
        var joint: JointSpec?
        if earlier.isEmpty {
            if m["parent"] != nil { throw fail(path + ".parent", "the first body is the root and has no parent") }
            if m["joint"] != nil { throw fail(path + ".joint", "the root body has no joint") }
        } else {
            let parentName = try string(m, "parent", path)
            guard let index = earlier.firstIndex(where: { $0.name == parentName }) else {
                throw fail(path + ".parent", "no earlier body is named '\(parentName)'")
            }
            parent = index
            joint = try self.joint(try required(m, "joint", path), path + ".joint", defaults: defaults)
        }
        guard let shapeList = try required(m, "shapes", path).sequence, !shapeList.isEmpty else {
            throw fail(path + ".shapes", "expected a non-empty list of shapes")
        }
        let shapes = try shapeList.enumerated().map { try shape($1, "\(path).shapes[\($0)]", defaults: defaults) }
        let group = try m["collisionGroup"].map { try integer($0, path + ".collisionGroup") }
            ?? defaults["collisionGroup"].map { try integer($0, "defaults.collisionGroup") } ?? -1
        let color = try m["color"].map { try hexColor($0, path + ".color") }
            ?? defaults["color"].map { try hexColor($0, "defaults.color") } ?? 0xB0_60_30
        return BodySpec(name: name, parent: parent,
                        anchor: parent == nil ? Vec2(0, 0) : try vec2(m, "anchor", path),
                        joint: joint, shapes: shapes, isFoot: try bool(m, "foot", path, default: false),
                        collisionGroup: Int16(clamping: group), color: color)
    }

    func joint(_ node: Node, _ path: String, defaults: [String: Node]) throws -> JointSpec {
        let m = try map(node, path, allowed: ["range", "gear", "stiffness", "damping", "springRef", "armature", "initialAngle"])
        guard let range = try required(m, "range", path).sequence, range.count == 2,
              let lower = range[0].float, let upper = range[1].float, lower < upper else {
            throw fail(path + ".range", "expected [lower, upper] in radians with lower < upper")
        }
        func value(_ key: String, _ fallback: Double) throws -> Double {
            if m[key] != nil { return try number(m, key, path, range: 0...1e6) }
            if defaults[key] != nil { return try number(defaults, key, "defaults", range: 0...1e6) }
            return fallback
        }
        let spring = try number(m, "springRef", path, default: 0)
        let initial = try number(m, "initialAngle", path, default: 0)
        guard (lower...upper).contains(initial) else {
            throw fail(path + ".initialAngle", "\(initial) lies outside range [\(lower), \(upper)]")
        }
        return JointSpec(lower: lower, upper: upper, gear: try number(m, "gear", path, range: 0...1e6),
                         stiffness: try value("stiffness", 0), damping: try value("damping", 0),
                         springRef: spring, armature: try value("armature", 0), initialAngle: initial)
    }

    func shape(_ node: Node, _ path: String, defaults: [String: Node]) throws -> ShapeSpec {
        let m = try map(node, path, allowed: ["capsule", "box", "circle", "density", "friction"])
        let kinds = ["capsule", "box", "circle"].filter { m[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first, let body = m[kind] else {
            throw fail(path, "expected exactly one of 'capsule', 'box', 'circle'")
        }
        let here = path + "." + kind
        func radius(_ g: [String: Node]) throws -> Double {
            if g["radius"] != nil { return try number(g, "radius", here, range: 1e-4...10) }
            return try number(defaults, "radius", "defaults", range: 1e-4...10)
        }
        let geometry: ShapeSpec.Geometry
        switch kind {
        case "capsule":
            // Either MuJoCo's `fromto` as two points, or a centre, half-length and axis angle.
            let g = try map(body, here, allowed: ["from", "to", "center", "halfLength", "angle", "radius"])
            if g["from"] != nil || g["to"] != nil {
                geometry = .capsule(a: try vec2(g, "from", here), b: try vec2(g, "to", here), radius: try radius(g))
            } else {
                let c = try vec2(g, "center", here)
                let h = try number(g, "halfLength", here, range: 0...100)
                let axis = Vec2(h, 0).rotated(by: try number(g, "angle", here, default: 0))
                geometry = .capsule(a: c - axis, b: c + axis, radius: try radius(g))
            }
        case "box":
            let g = try map(body, here, allowed: ["center", "halfSize", "angle", "depth"])
            let half = try vec2(g, "halfSize", here)
            guard half.x > 0, half.y > 0 else { throw fail(here + ".halfSize", "expected positive half sizes") }
            geometry = .box(center: try vec2(g, "center", here, default: Vec2(0, 0)), halfSize: half,
                            angle: try number(g, "angle", here, default: 0),
                            depth: try number(g, "depth", here, default: 2 * half.y, range: 1e-4...100))
        default:
            let g = try map(body, here, allowed: ["center", "radius"])
            geometry = .circle(center: try vec2(g, "center", here, default: Vec2(0, 0)), radius: try radius(g))
        }
        func inherited(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
            if m[key] != nil { return try number(m, key, path, range: range) }
            return try number(defaults, key, "defaults", range: range)
        }
        return ShapeSpec(geometry: geometry, density: try inherited("density", 1e-3...1e6),
                         friction: try inherited("friction", 0...10))
    }

    // MARK: - Typed access with key paths

    func key(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    func map(_ node: Node, _ path: String, allowed: Set<String>) throws -> [String: Node] {
        guard let mapping = node.mapping else { throw fail(path.isEmpty ? "(document)" : path, "expected a mapping") }
        var out: [String: Node] = [:]
        for (k, v) in mapping {
            guard let name = k.string else { throw fail(path, "keys must be strings") }
            guard allowed.contains(name) else {
                throw fail(key(path, name), "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            out[name] = v
        }
        return out
    }

    func required(_ m: [String: Node], _ name: String, _ path: String) throws -> Node {
        guard let node = m[name] else { throw fail(key(path, name), "missing") }
        return node
    }

    func number(_ m: [String: Node], _ name: String, _ path: String, default fallback: Double? = nil,
                range: ClosedRange<Double> = -1e6...1e6) throws -> Double {
        guard let node = m[name] else {
            if let fallback { return fallback }
            throw fail(key(path, name), "missing")
        }
        guard node.scalar != nil, let value = node.float, value.isFinite else {
            throw fail(key(path, name), "expected a number, found \(describe(node))")
        }
        guard range.contains(value) else {
            throw fail(key(path, name), "\(value) is outside [\(range.lowerBound), \(range.upperBound)]")
        }
        return value
    }

    func integer(_ node: Node, _ path: String) throws -> Int {
        guard node.scalar != nil, let value = node.int else { throw fail(path, "expected an integer, found \(describe(node))") }
        return value
    }

    func string(_ m: [String: Node], _ name: String, _ path: String) throws -> String {
        guard let node = m[name], node.scalar != nil, let s = node.string, !s.isEmpty else {
            throw fail(key(path, name), m[name] == nil ? "missing" : "expected a non-empty string")
        }
        return s
    }

    func bool(_ m: [String: Node], _ name: String, _ path: String, default fallback: Bool) throws -> Bool {
        guard let node = m[name] else { return fallback }
        guard let value = node.bool else { throw fail(key(path, name), "expected true or false, found \(describe(node))") }
        return value
    }

    func vec2(_ m: [String: Node], _ name: String, _ path: String, default fallback: Vec2? = nil) throws -> Vec2 {
        guard let node = m[name] else {
            if let fallback { return fallback }
            throw fail(key(path, name), "missing")
        }
        guard let s = node.sequence, s.count == 2, let x = s[0].float, let y = s[1].float, x.isFinite, y.isFinite else {
            throw fail(key(path, name), "expected [x, y], found \(describe(node))")
        }
        return Vec2(x, y)
    }

    func hexColor(_ node: Node, _ path: String) throws -> UInt32 {
        guard let s = node.string, s.hasPrefix("#"), s.count == 7, let v = UInt32(s.dropFirst(), radix: 16) else {
            throw fail(path, "expected a colour like \"#RRGGBB\", found \(describe(node))")
        }
        return v
    }

    func describe(_ node: Node) -> String {
        if let s = node.scalar { return "'\(s.string)'" }
        if node.sequence != nil { return "a list" }
        return "a mapping"
    }
}
