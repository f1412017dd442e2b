// Shared by every kernel (this file is first in the program): the fused epilogue of ops::Activation. The kind
// numbers are ops::Activation::Kind; p holds (alpha, beta, min, max, scale, shift, -, -).
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_LEAKY_RELU 3
#define ACT_SIGMOID 4
#define ACT_HARD_SIGMOID 5
#define ACT_HARD_SWISH 6
#define ACT_TANH 7

inline float activate(float x, int kind, float8 p) {
    switch (kind) {
        case ACT_RELU: x = x > 0.f ? x : 0.f; break;
        case ACT_CLIP: x = x < p.s2 ? p.s2 : (x > p.s3 ? p.s3 : x); break;
        case ACT_LEAKY_RELU: x = x >= 0.f ? x : p.s0 * x; break;
        case ACT_SIGMOID: x = 1.f / (1.f + exp(-x)); break;
        case ACT_HARD_SIGMOID: x = fmax(0.f, fmin(1.f, p.s0 * x + p.s1)); break;
        case ACT_HARD_SWISH: x = x * fmax(0.f, fmin(1.f, x / 6.f + 0.5f)); break;
        case ACT_TANH: x = tanh(x); break;
        default: break;
    }
    return (p.s4 != 1.f || p.s5 != 0.f) ? x * p.s4 + p.s5 : x;
}

// Splits a flat index over up to 6 dims (s0 outermost, unused leading dims 1) into an offset with strides s.
inline int offset6(int i, int8 dims, int8 s) {
    int o = 0, d;
    d = i % dims.s5; i /= dims.s5; o += d * s.s5;
    d = i % dims.s4; i /= dims.s4; o += d * s.s4;
    d = i % dims.s3; i /= dims.s3; o += d * s.s3;
    d = i % dims.s2; i /= dims.s2; o += d * s.s2;
    d = i % dims.s1; i /= dims.s1; o += d * s.s1;
    return o + i * s.s0;
}
