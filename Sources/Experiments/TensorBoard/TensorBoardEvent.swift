/// One TensorBoard `Event` (`tensorflow/core/util/event.proto`): a wall time, a step, and either
/// the file's version or a `Summary` of scalars and images.
public struct TensorBoardEvent: Sendable, Equatable {
    public var wallTime: Double
    public var step: Int
    public var fileVersion: String?
    public var scalars: [Scalar] = []
    public var images: [Image] = []

    public struct Scalar: Sendable, Equatable {
        public var tag: String
        public var value: Float
    }

    /// An encoded image (PNG) as TensorBoard's image dashboard shows it.
    public struct Image: Sendable, Equatable {
        public var tag: String
        public var width: Int
        public var height: Int
        public var encoded: [UInt8]

        public init(tag: String, width: Int, height: Int, png: [UInt8]) {
            self.tag = tag
            self.width = width
            self.height = height
            encoded = png
        }
    }

    public init(wallTime: Double, step: Int, fileVersion: String? = nil, scalars: [Scalar] = [], images: [Image] = []) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.scalars = scalars
        self.images = images
    }

    /// Every tag this event carries.
    public var tags: [String] { scalars.map(\.tag) + images.map(\.tag) }

    func encoded() -> [UInt8] {
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.varint(2, UInt64(bitPattern: Int64(step)))
        if let fileVersion { event.string(3, fileVersion) }
        guard !scalars.isEmpty || !images.isEmpty else { return event.bytes }
        var summary = ProtobufWriter()
        for scalar in scalars {
            var value = ProtobufWriter()
            value.string(1, scalar.tag)
            value.float(2, scalar.value)
            summary.message(1, value)
        }
        for image in images {
            var picture = ProtobufWriter()
            picture.varint(1, UInt64(image.height))
            picture.varint(2, UInt64(image.width))
            picture.varint(3, 3)  // RGB
            picture.bytes(4, image.encoded)
            var value = ProtobufWriter()
            value.string(1, image.tag)
            value.message(4, picture)
            summary.message(1, value)
        }
        event.message(5, summary)
        return event.bytes
    }

    init(decoding data: ArraySlice<UInt8>) throws {
        self.init(wallTime: 0, step: 0)
        for (field, value) in try ProtobufReader.fields(data) {
            switch (field, value) {
            case (1, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
            case (2, .varint(let v)): step = Int(Int64(bitPattern: v))
            case (3, .bytes(let text)): fileVersion = String(decoding: text, as: UTF8.self)
            case (5, .bytes(let summary)): try decodeSummary(summary)
            default: break
            }
        }
    }

    private mutating func decodeSummary(_ data: ArraySlice<UInt8>) throws {
        for case (1, .bytes(let valueData)) in try ProtobufReader.fields(data) {
            var tag = ""
            var scalar: Float?
            var image: Image?
            for (field, value) in try ProtobufReader.fields(valueData) {
                switch (field, value) {
                case (1, .bytes(let text)): tag = String(decoding: text, as: UTF8.self)
                case (2, .fixed32(let bits)): scalar = Float(bitPattern: bits)
                case (4, .bytes(let pictureData)):
                    var picture = Image(tag: "", width: 0, height: 0, png: [])
                    for (f, v) in try ProtobufReader.fields(pictureData) {
                        switch (f, v) {
                        case (1, .varint(let h)): picture.height = Int(h)
                        case (2, .varint(let w)): picture.width = Int(w)
                        case (4, .bytes(let png)): picture.encoded = Array(png)
                        default: break
                        }
                    }
                    image = picture
                default: break
                }
            }
            if let scalar { scalars.append(Scalar(tag: tag, value: scalar)) }
            if var image { image.tag = tag; images.append(image) }
        }
    }
}
