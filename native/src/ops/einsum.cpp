// Einsum: a general reference over numeric tensors. The equation's terms name each input's dims with letters
// (a repeated letter in one term takes a diagonal) and at most one "..." for broadcast dims; the output is
// explicit ("->" terms) or implicit (the "..." dims, then the letters used once, in ASCII order). Every output
// element sums, over all values of the letters not in the output, the product of the inputs at those indices.
#include <algorithm>
#include <array>
#include <type_traits>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

constexpr int kLetters = 52;  // a-z, A-Z; "..." dims get labels kLetters + j

int letter_label(char ch) {
    if (ch >= 'a' && ch <= 'z') return ch - 'a';
    if (ch >= 'A' && ch <= 'Z') return 26 + (ch - 'A');
    return -1;
}

// One term of the equation: its letters before and after "...", and whether it has "...".
struct Term {
    std::vector<int> before, after;
    bool ellipsis = false;
};

class EinsumKernel final : public Kernel {
public:
    EinsumKernel(const Attributes& attributes, int) {
        std::string equation;
        for (char ch : attributes.get_string("equation", "")) {
            if (ch != ' ') equation += ch;
        }
        if (equation.empty()) attributes.fail("required attribute 'equation' is missing or empty");
        std::string lhs = equation, rhs;
        const size_t arrow = equation.find("->");
        const bool explicit_output = arrow != std::string::npos;
        if (explicit_output) {
            lhs = equation.substr(0, arrow);
            rhs = equation.substr(arrow + 2);
        }
        size_t start = 0;
        while (true) {
            const size_t comma = lhs.find(',', start);
            m_inputs.push_back(parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start), attributes));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        if (explicit_output) {
            m_output = parse_term(rhs, attributes);
            std::array<bool, kLetters> seen{};
            for (const auto* list : {&m_output.before, &m_output.after}) {
                for (int label : *list) {
                    if (seen[static_cast<size_t>(label)]) attributes.fail("equation '" + equation + "' repeats a letter in its output");
                    seen[static_cast<size_t>(label)] = true;
                    bool used = false;
                    for (const Term& t : m_inputs) {
                        for (int l : t.before) used |= l == label;
                        for (int l : t.after) used |= l == label;
                    }
                    if (!used) attributes.fail("equation '" + equation + "' has an output letter that no input uses");
                }
            }
        } else {
            // Implicit output: "..." dims first, then the letters used exactly once, in ASCII order.
            std::array<int, kLetters> count{};
            for (const Term& t : m_inputs) {
                for (int l : t.before) ++count[static_cast<size_t>(l)];
                for (int l : t.after) ++count[static_cast<size_t>(l)];
            }
            m_output.ellipsis = true;
            for (char ch = 'A'; ch <= 'z'; ++ch) {
                const int label = letter_label(ch);
                if (label >= 0 && count[static_cast<size_t>(label)] == 1) m_output.after.push_back(label);
            }
        }
    }

    void infer(InferContext& ctx) override {
        if (ctx.num_inputs() != m_inputs.size()) {
            ctx.fail("the equation has " + std::to_string(m_inputs.size()) + " input terms, the node " + std::to_string(ctx.num_inputs()) + " inputs");
        }
        const LiteDataType dtype = ctx.input_dtype(0);
        for (size_t i = 1; i < m_inputs.size(); ++i) {
            if (ctx.input_dtype(i) != dtype) ctx.fail("inputs have different element types");
        }
        if (dtype == LITE_BOOL || dtype == LITE_HALF) ctx.fail(std::string("element type ") + dtype_label(dtype) + " is not supported");
        std::vector<Shape> shapes;
        for (size_t i = 0; i < m_inputs.size(); ++i) shapes.push_back(ctx.input_shape(i));
        Plan plan;
        std::string why = make_plan(shapes, plan);
        if (!why.empty()) ctx.fail(why);
        ctx.set_output(0, dtype, plan.out_shape);
    }

    void run(RunContext& ctx) override {
        std::vector<Shape> shapes;
        for (size_t i = 0; i < m_inputs.size(); ++i) shapes.push_back(ctx.input(i).shape);
        Plan plan;
        std::string why = make_plan(shapes, plan);
        if (!why.empty()) throw Error(ErrorCode::Internal, "Einsum: " + why);
        dispatch_numeric(ctx.input(0).dtype, [&](auto zero) { compute<decltype(zero)>(ctx, plan); });
    }

private:
    // Labels and strides resolved for concrete input shapes.
    struct Plan {
        std::vector<int64_t> out_sizes, sum_sizes;              // sizes of the output labels, then the summed ones
        std::vector<std::vector<int64_t>> out_strides, sum_strides;  // [input][label]: element strides (0: broadcast)
        Shape out_shape;
    };

    static Term parse_term(const std::string& text, const Attributes& attributes) {
        Term term;
        for (size_t i = 0; i < text.size(); ++i) {
            if (text.compare(i, 3, "...") == 0) {
                if (term.ellipsis) attributes.fail("a term of the equation has two '...'");
                term.ellipsis = true;
                i += 2;
                continue;
            }
            const int label = letter_label(text[i]);
            if (label < 0) attributes.fail(std::string("unexpected character '") + text[i] + "' in the equation");
            (term.ellipsis ? term.after : term.before).push_back(label);
        }
        return term;
    }

    // The labels of each dim of a term with `ellipsis_dims` "..." dims, of which there are `max_ellipsis` in all.
    static std::vector<int> term_labels(const Term& t, size_t ellipsis_dims, size_t max_ellipsis) {
        std::vector<int> labels = t.before;
        for (size_t j = 0; j < ellipsis_dims; ++j) labels.push_back(kLetters + static_cast<int>(max_ellipsis - ellipsis_dims + j));
        labels.insert(labels.end(), t.after.begin(), t.after.end());
        return labels;
    }

    std::string make_plan(const std::vector<Shape>& shapes, Plan& plan) const {
        // How many "..." dims each input has, and in all (right-aligned, broadcasting).
        std::vector<size_t> ellipsis_dims(shapes.size());
        size_t max_ellipsis = 0;
        for (size_t i = 0; i < shapes.size(); ++i) {
            const Term& t = m_inputs[i];
            const size_t letters = t.before.size() + t.after.size();
            const size_t rank = shapes[i].size();
            if (rank < letters || (!t.ellipsis && rank != letters)) {
                return "input " + std::to_string(i) + " " + shape_str(shapes[i]) + " does not have the " + std::to_string(letters) +
                       (t.ellipsis ? " or more" : "") + " dims its term names";
            }
            ellipsis_dims[i] = rank - letters;
            max_ellipsis = std::max(max_ellipsis, ellipsis_dims[i]);
        }
        if (max_ellipsis > 0 && !m_output.ellipsis) {
            return "the inputs have \"...\" dims but the output names none (numpy refuses to sum them away)";
        }
        const size_t num_labels = kLetters + max_ellipsis;
        std::vector<int64_t> size(num_labels, -1);
        std::vector<std::vector<int>> labels(shapes.size());
        for (size_t i = 0; i < shapes.size(); ++i) {
            labels[i] = term_labels(m_inputs[i], ellipsis_dims[i], max_ellipsis);
            for (size_t d = 0; d < labels[i].size(); ++d) {
                const auto l = static_cast<size_t>(labels[i][d]);
                const int64_t dim = shapes[i][d];
                const bool broadcastable = l >= kLetters;  // "..." dims broadcast; letters must agree
                if (size[l] < 0 || (broadcastable && size[l] == 1)) {
                    size[l] = dim;
                } else if (dim != size[l] && !(broadcastable && dim == 1)) {
                    return "dim " + std::to_string(d) + " of input " + std::to_string(i) + " " + shape_str(shapes[i]) +
                           " is " + std::to_string(dim) + ", elsewhere the same label has size " + std::to_string(size[l]);
                }
            }
        }
        std::vector<int> out_labels = term_labels(m_output, m_output.ellipsis ? max_ellipsis : 0, max_ellipsis);
        std::vector<bool> in_output(num_labels, false);
        for (int l : out_labels) in_output[static_cast<size_t>(l)] = true;
        std::vector<int> sum_labels;
        for (size_t l = 0; l < num_labels; ++l) {
            if (size[l] >= 0 && !in_output[l]) sum_labels.push_back(static_cast<int>(l));
        }
        plan = Plan{};
        for (int l : out_labels) {
            plan.out_shape.push_back(size[static_cast<size_t>(l)]);
            plan.out_sizes.push_back(size[static_cast<size_t>(l)]);
        }
        for (int l : sum_labels) plan.sum_sizes.push_back(size[static_cast<size_t>(l)]);
        for (size_t i = 0; i < shapes.size(); ++i) {
            // Element stride of each label in input i: the sum over its dims with that label (a diagonal).
            std::vector<int64_t> stride(num_labels, 0);
            int64_t s = 1;
            for (size_t d = labels[i].size(); d-- > 0;) {
                if (shapes[i][d] != 1) stride[static_cast<size_t>(labels[i][d])] += s;
                s *= shapes[i][d];
            }
            std::vector<int64_t> out_strides, sum_strides;
            for (int l : out_labels) out_strides.push_back(stride[static_cast<size_t>(l)]);
            for (int l : sum_labels) sum_strides.push_back(stride[static_cast<size_t>(l)]);
            plan.out_strides.push_back(out_strides);
            plan.sum_strides.push_back(sum_strides);
        }
        return "";
    }

    template <typename T>
    void compute(RunContext& ctx, const Plan& plan) const {
        using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
        const size_t inputs = m_inputs.size();
        std::vector<const T*> data;
        for (size_t i = 0; i < inputs; ++i) data.push_back(ctx.input(i).as<T>());
        T* y = ctx.output(0).as<T>();
        const int64_t out_count = numel(plan.out_sizes), sum_count = numel(plan.sum_sizes);
        const size_t out_rank = plan.out_sizes.size(), sum_rank = plan.sum_sizes.size();
        ctx.parallel_for(out_count, [&](int64_t begin, int64_t end) {
            std::vector<int64_t> base(inputs), offset(inputs), index(sum_rank);
            for (int64_t o = begin; o < end; ++o) {
                // Offsets of this output element's indices in every input.
                std::fill(base.begin(), base.end(), 0);
                int64_t rem = o;
                for (size_t d = out_rank; d-- > 0;) {
                    const int64_t idx = rem % plan.out_sizes[d];
                    rem /= plan.out_sizes[d];
                    for (size_t i = 0; i < inputs; ++i) base[i] += idx * plan.out_strides[i][d];
                }
                Acc sum = 0;
                std::fill(index.begin(), index.end(), 0);
                offset = base;
                for (int64_t s = 0; s < sum_count; ++s) {
                    Acc product = 1;
                    for (size_t i = 0; i < inputs; ++i) product *= static_cast<Acc>(data[i][offset[i]]);
                    sum += product;
                    // Next summed index (odometer), keeping the offsets in step.
                    for (size_t d = sum_rank; d-- > 0;) {
                        for (size_t i = 0; i < inputs; ++i) offset[i] += plan.sum_strides[i][d];
                        if (++index[d] < plan.sum_sizes[d]) break;
                        for (size_t i = 0; i < inputs; ++i) offset[i] -= plan.sum_strides[i][d] * plan.sum_sizes[d];
                        index[d] = 0;
                    }
                }
                y[o] = static_cast<T>(sum);
            }
        });
    }

    std::vector<Term> m_inputs;
    Term m_output;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(Einsum, EinsumKernel)
