// A CPU stand-in for the CUDA driver: runs src/main/cuda/kernels.cu through cuda_emu.h on requests
// from the Java tests (dev.fineturn.cuda.EmulatedDriver), so that the real CudaBackend, its kernel
// planners and the kernels run together without a GPU.
//
// Requests and replies are little-endian binary on stdin/stdout. Each request is one byte of
// opcode and its operands; each reply starts with a status byte (0 ok, 1 error followed by an i32
// length and the message).
//   1 ALLOC  i64 id, i64 floats                -> status
//   2 FREE   i64 id                            -> status
//   3 WRITE  i64 id, i64 offset, i32 n, n f32  -> status
//   4 READ   i64 id, i64 offset, i32 n         -> status, n f32
//   5 LAUNCH u16 name length, name, 6 i32 grid and block, u8 sequential, i32 argument count, then
//            per argument a tag byte: 'p' i64 id | 'i' i32 | 'f' f32 | 'l' i64 | 's' i32 count, ints
//                                              -> status
//   6 KERNELS                                  -> status, i32 count, per kernel u16 length and name
//   7 BYTES                                    -> status, i64 bytes allocated
// Memory is checked at the level of buffers (ids, offsets and lengths of copies); build with
// -fsanitize=address to catch kernels that index outside their buffers.
#include "cuda_emu.h"
#include "../../main/cuda/kernels.cu"

#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace {

struct Arg {
    char tag = 0;
    long long id = 0;
    int i = 0;
    float f = 0;
    long long l = 0;
    std::vector<int> ints;
};

std::unordered_map<long long, std::vector<float>> buffers;
long long bytesAllocated = 0;

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void readExactly(void* p, size_t n) {
    if (n > 0 && std::fread(p, 1, n, stdin) != n) {
        std::exit(0);  // the test closed the pipe
    }
}

template <class T>
T get() {
    T v;
    readExactly(&v, sizeof v);
    return v;
}

void put(const void* p, size_t n) {
    std::fwrite(p, 1, n, stdout);
}

template <class T>
void put(T v) {
    put(&v, sizeof v);
}

std::vector<float>& buffer(long long id) {
    auto it = buffers.find(id);
    if (it == buffers.end()) throw Error("no buffer " + std::to_string(id));
    return it->second;
}

// Kernel parameters from request arguments, by parameter type.
template <class T>
struct Convert;

template <>
struct Convert<float*> {
    static float* from(const Arg& a) {
        if (a.tag != 'p') throw Error("expected a device pointer");
        return buffer(a.id).data();
    }
};

template <>
struct Convert<const float*> {
    static const float* from(const Arg& a) { return Convert<float*>::from(a); }
};

template <>
struct Convert<int> {
    static int from(const Arg& a) {
        if (a.tag != 'i') throw Error("expected an int");
        return a.i;
    }
};

template <>
struct Convert<float> {
    static float from(const Arg& a) {
        if (a.tag != 'f') throw Error("expected a float");
        return a.f;
    }
};

template <>
struct Convert<long long> {
    static long long from(const Arg& a) {
        if (a.tag != 'l') throw Error("expected a long long");
        return a.l;
    }
};

template <class S, int N>
S ints(const Arg& a) {
    if (a.tag != 's' || (int) a.ints.size() != N) throw Error("expected a struct of " + std::to_string(N) + " ints");
    S s;
    for (int i = 0; i < N; i++) s.v[i] = a.ints[i];
    return s;
}

template <>
struct Convert<Dims> {
    static Dims from(const Arg& a) { return ints<Dims, 8>(a); }
};

template <>
struct Convert<Geo> {
    static Geo from(const Arg& a) { return ints<Geo, 16>(a); }
};

using Runner = std::function<void(dim3, dim3, bool, const std::vector<Arg>&)>;

template <class... P, size_t... I>
void run(void (*kernel)(P...), dim3 grid, dim3 block, bool sequential, const std::vector<Arg>& args,
         std::index_sequence<I...>) {
    if (args.size() != sizeof...(P)) {
        throw Error("expected " + std::to_string(sizeof...(P)) + " arguments, got " + std::to_string(args.size()));
    }
    if (!cuda_emu::valid_launch(grid, block)) throw Error("invalid launch shape");
    if (sequential) {
        cuda_emu::launch_sequential(grid, block, kernel, Convert<P>::from(args[I])...);
    } else {
        cuda_emu::launch(grid, block, kernel, Convert<P>::from(args[I])...);
    }
}

template <class... P>
Runner runner(void (*kernel)(P...)) {
    return [kernel](dim3 grid, dim3 block, bool sequential, const std::vector<Arg>& args) {
        run(kernel, grid, block, sequential, args, std::index_sequence_for<P...>{});
    };
}

#define KERNEL(name) {#name, runner(name)}
const std::map<std::string, Runner> KERNELS = {
    KERNEL(fill), KERNEL(unary), KERNEL(unary_backward), KERNEL(binary), KERNEL(copy_strided),
    KERNEL(sum_reduce_serial), KERNEL(sum_reduce_block), KERNEL(sum_partials),
    KERNEL(gemm_large), KERNEL(gemm_small),
    KERNEL(conv_fwd_large), KERNEL(conv_fwd_small), KERNEL(conv_bwd_data_large), KERNEL(conv_bwd_data_small),
    KERNEL(conv_bwd_weights_large), KERNEL(conv_bwd_weights_small),
    KERNEL(conv_fwd_direct), KERNEL(conv_bwd_data_direct), KERNEL(conv_bwd_weights_direct),
    KERNEL(max_pool_fwd), KERNEL(max_pool_bwd), KERNEL(avg_pool_fwd), KERNEL(avg_pool_bwd),
    KERNEL(softmax_rows), KERNEL(softmax_backward_rows), KERNEL(cross_entropy_fwd), KERNEL(cross_entropy_bwd),
    KERNEL(bn_statistics), KERNEL(bn_forward), KERNEL(bn_backward_reduce), KERNEL(bn_backward_data),
    KERNEL(dropout_mask), KERNEL(sgd_step), KERNEL(adamw_step),
};

void checkRange(const std::vector<float>& b, long long offset, int n, const char* what) {
    if (offset < 0 || n < 0 || offset + n > (long long) b.size()) {
        throw Error(std::string(what) + " of " + std::to_string(n) + " floats at " + std::to_string(offset)
                    + " outside a buffer of " + std::to_string(b.size()));
    }
}

void serve(unsigned char op) {
    switch (op) {
        case 1: {
            long long id = get<long long>();
            long long n = get<long long>();
            if (n < 1 || buffers.count(id)) throw Error("bad allocation");
            buffers.emplace(id, std::vector<float>((size_t) n, 0.0f));
            bytesAllocated += n * 4;
            put<unsigned char>(0);
            return;
        }
        case 2: {
            long long id = get<long long>();
            bytesAllocated -= (long long) buffer(id).size() * 4;
            buffers.erase(id);
            put<unsigned char>(0);
            return;
        }
        case 3: {
            long long id = get<long long>();
            long long offset = get<long long>();
            int n = get<int>();
            std::vector<float> data((size_t) n);
            readExactly(data.data(), (size_t) n * 4);
            std::vector<float>& b = buffer(id);
            checkRange(b, offset, n, "write");
            std::copy(data.begin(), data.end(), b.begin() + offset);
            put<unsigned char>(0);
            return;
        }
        case 4: {
            long long id = get<long long>();
            long long offset = get<long long>();
            int n = get<int>();
            std::vector<float>& b = buffer(id);
            checkRange(b, offset, n, "read");
            put<unsigned char>(0);
            put(b.data() + offset, (size_t) n * 4);
            return;
        }
        case 5: {
            unsigned short len = get<unsigned short>();
            std::string name(len, '\0');
            readExactly(name.data(), len);
            int s[6];
            readExactly(s, sizeof s);
            bool sequential = get<unsigned char>() != 0;
            int count = get<int>();
            std::vector<Arg> args((size_t) count);
            for (Arg& a : args) {
                a.tag = get<char>();
                switch (a.tag) {
                    case 'p': a.id = get<long long>(); break;
                    case 'i': a.i = get<int>(); break;
                    case 'f': a.f = get<float>(); break;
                    case 'l': a.l = get<long long>(); break;
                    case 's': {
                        int n = get<int>();
                        a.ints.resize((size_t) n);
                        readExactly(a.ints.data(), (size_t) n * 4);
                        break;
                    }
                    default: throw Error(std::string("bad argument tag ") + a.tag);
                }
            }
            auto it = KERNELS.find(name);
            if (it == KERNELS.end()) throw Error("no kernel " + name);
            try {
                it->second(dim3(s[0], s[1], s[2]), dim3(s[3], s[4], s[5]), sequential, args);
            } catch (const Error& e) {
                throw Error(name + ": " + e.what());
            }
            put<unsigned char>(0);
            return;
        }
        case 6: {
            put<unsigned char>(0);
            put<int>((int) KERNELS.size());
            for (const auto& k : KERNELS) {
                put<unsigned short>((unsigned short) k.first.size());
                put(k.first.data(), k.first.size());
            }
            return;
        }
        case 7: {
            put<unsigned char>(0);
            put<long long>(bytesAllocated);
            return;
        }
        default:
            std::fprintf(stderr, "cuda_server: unknown request %d\n", op);
            std::exit(2);
    }
}

}  // namespace

int main() {
    for (;;) {
        unsigned char op;
        if (std::fread(&op, 1, 1, stdin) != 1) return 0;
        try {
            serve(op);
        } catch (const Error& e) {
            // Operands of a failed request were read in full before the failure, so the stream stays in step.
            put<unsigned char>(1);
            std::string m = e.what();
            put<int>((int) m.size());
            put(m.data(), m.size());
        }
        std::fflush(stdout);
    }
}
