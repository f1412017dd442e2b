// A bounds-checked reader of the protobuf wire format, enough for ONNX's messages. Every read checks the
// remaining bytes, so a truncated or corrupt model fails with a clear error instead of reading out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "lite/error.h"

namespace lite::onnx {

enum class WireType : uint8_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

class ProtoReader {
public:
    ProtoReader(const uint8_t* data, size_t size, const char* what) : m_pos(data), m_end(data + size), m_what(what) {}

    bool done() const { return m_pos >= m_end; }

    //! Reads the next field key; returns false at the end of the message.
    bool next(uint32_t& field, WireType& type) {
        if (done()) return false;
        uint64_t key = varint();
        field = static_cast<uint32_t>(key >> 3);
        type = static_cast<WireType>(key & 7);
        if (field == 0) fail("field number 0");
        return true;
    }

    uint64_t varint() {
        uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_end) fail("truncated varint");
            uint8_t byte = *m_pos++;
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80)) return value;
        }
        fail("varint longer than 10 bytes");
    }
    int64_t int64() { return static_cast<int64_t>(varint()); }
    int32_t int32() { return static_cast<int32_t>(varint()); }
    float fixed32_float() {
        need(4);
        float value;
        std::memcpy(&value, m_pos, 4);
        m_pos += 4;
        return value;
    }
    double fixed64_double() {
        need(8);
        double value;
        std::memcpy(&value, m_pos, 8);
        m_pos += 8;
        return value;
    }
    //! A length-delimited field's bytes (pointing into the buffer, no copy).
    std::string_view bytes() {
        uint64_t length = varint();
        need(length);
        std::string_view view(reinterpret_cast<const char*>(m_pos), static_cast<size_t>(length));
        m_pos += length;
        return view;
    }
    std::string string() { return std::string(bytes()); }
    ProtoReader message(const char* what) {
        std::string_view view = bytes();
        return ProtoReader(reinterpret_cast<const uint8_t*>(view.data()), view.size(), what);
    }
    void skip(WireType type) {
        switch (type) {
            case WireType::Varint: varint(); return;
            case WireType::Fixed64: need(8); m_pos += 8; return;
            case WireType::Fixed32: need(4); m_pos += 4; return;
            case WireType::LengthDelimited: bytes(); return;
        }
        fail("unknown wire type " + std::to_string(static_cast<int>(type)));
    }

    //! Repeated scalar fields come packed (one length-delimited run) or one value per key; this reads either.
    template <typename Fn>
    void repeated_varint(WireType type, Fn&& push) {
        if (type == WireType::LengthDelimited) {
            ProtoReader packed = message(m_what);
            while (!packed.done()) push(packed.varint());
        } else {
            push(varint());
        }
    }
    template <typename Fn>
    void repeated_float(WireType type, Fn&& push) {
        if (type == WireType::LengthDelimited) {
            ProtoReader packed = message(m_what);
            while (!packed.done()) push(packed.fixed32_float());
        } else {
            push(fixed32_float());
        }
    }
    template <typename Fn>
    void repeated_double(WireType type, Fn&& push) {
        if (type == WireType::LengthDelimited) {
            ProtoReader packed = message(m_what);
            while (!packed.done()) push(packed.fixed64_double());
        } else {
            push(fixed64_double());
        }
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw Error(ErrorCode::InvalidModel, std::string("the model is corrupt or truncated (") + m_what + ": " + why +
                                                 "): check that the file is a complete ONNX model");
    }

private:
    void need(uint64_t bytes) const {
        if (bytes > static_cast<uint64_t>(m_end - m_pos)) fail("a field runs past the end of its message");
    }

    const uint8_t* m_pos;
    const uint8_t* m_end;
    const char* m_what;
};

}  // namespace lite::onnx
