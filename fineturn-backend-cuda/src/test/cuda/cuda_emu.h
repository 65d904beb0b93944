// A CPU emulation of the CUDA C++ that src/main/cuda/kernels.cu uses, so that g++ (-std=c++20
// -pthread) compiles the same kernel source and the kernel test can run it without a GPU.
//
// - __global__, __device__ vanish; __shared__ becomes function-static storage, which the threads of
//   the block being run share (blocks run one after another, so one copy serves every block).
// - threadIdx and blockIdx are thread_local; blockDim and gridDim are per launch.
// - launch() runs the grid's blocks one after another, each with one std::thread per thread of the
//   block. The same std::threads serve every block of a launch (and are kept for later launches):
//   after its kernel returns a thread drops out of the block's barrier and waits for the others,
//   then they all start the next block.
// - __syncthreads() is a std::barrier over the block's threads; a thread that has returned from
//   the kernel no longer counts, as on devices of compute capability 7.0 and newer.
// - launch_sequential() runs kernels that never synchronise one thread after another instead.
// - atomicAdd uses std::atomic_ref; the math intrinsics map to <cmath>.
//
// Not emulated: warps (no __shfl_*, no warp-synchronous code), the memory model beyond what the
// barrier orders, and floating-point contraction (g++ does not contract without -ffp-contract=fast).
#pragma once

#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <semaphore>
#include <memory>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_emu {
inline thread_local dim3 thread_idx;
inline thread_local dim3 block_idx;
inline dim3 block_dim;
inline dim3 grid_dim;
// The barrier of the block being run; replaced between blocks while no thread is inside a kernel.
inline std::barrier<>* block_barrier = nullptr;
inline std::atomic<long long> launches{0};
inline std::atomic<long long> blocks_run{0};

inline void syncthreads() {
    if (block_barrier == nullptr) {
        std::fprintf(stderr, "cuda_emu: __syncthreads() in a kernel launched with launch_sequential\n");
        std::abort();
    }
    block_barrier->arrive_and_wait();
}

inline bool valid_launch(dim3 grid, dim3 block) {
    const long long threads = (long long) block.x * block.y * block.z;
    if (threads < 1 || threads > 1024 || grid.x < 1 || grid.y < 1 || grid.z < 1 || grid.y > 65535 || grid.z > 65535) {
        std::fprintf(stderr, "cuda_emu: invalid launch grid %ux%ux%u block %ux%ux%u\n", grid.x, grid.y, grid.z,
                     block.x, block.y, block.z);
        return false;
    }
    return true;
}

// OS threads kept between launches: starting 256 threads for every launch costs more than most
// emulated kernels. run(n, body) runs body(0) ... body(n - 1) on n distinct threads and waits.
class ThreadPool {
public:
    void run(int n, const std::function<void(int)>& body) {
        while ((int) workers_.size() < n) {
            auto w = std::make_unique<Worker>();
            Worker* p = w.get();
            int index = (int) workers_.size();
            workers_.push_back(std::move(w));
            p->thread = std::thread([this, p, index] { loop(p, index); });
        }
        job_ = &body;
        remaining_.store(n);
        for (int t = 0; t < n; t++) workers_[t]->go.release();
        finished_.acquire();
        job_ = nullptr;
    }

    ~ThreadPool() {
        stop_ = true;
        for (auto& w : workers_) w->go.release();
        for (auto& w : workers_) w->thread.join();
    }

private:
    struct Worker {
        std::binary_semaphore go{0};
        std::thread thread;
    };

    void loop(Worker* w, int index) {
        for (;;) {
            w->go.acquire();
            if (stop_) return;
            (*job_)(index);
            if (remaining_.fetch_sub(1) == 1) finished_.release();
        }
    }

    std::vector<std::unique_ptr<Worker>> workers_;
    const std::function<void(int)>* job_ = nullptr;
    std::atomic<int> remaining_{0};
    std::binary_semaphore finished_{0};
    std::atomic<bool> stop_{false};
};

inline ThreadPool& pool() {
    static ThreadPool p;
    return p;
}

// Runs kernel(args...) over grid x block. Arguments convert to the kernel's parameter types once,
// as at a CUDA launch, and every thread gets its own copy.
template <class... P, class... A>
void launch(dim3 grid, dim3 block, void (*kernel)(P...), A&&... args) {
    if (!valid_launch(grid, block)) std::abort();
    const int threads = (int) (block.x * block.y * block.z);
    const long long blocks = (long long) grid.x * grid.y * grid.z;
    const std::tuple<P...> params(std::forward<A>(args)...);
    block_dim = block;
    grid_dim = grid;
    auto current = std::make_unique<std::barrier<>>(threads);
    block_barrier = current.get();
    auto next_block = [&]() noexcept {
        current = std::make_unique<std::barrier<>>(threads);
        block_barrier = current.get();
    };
    std::barrier<decltype(next_block)> between(threads, next_block);
    pool().run(threads, [&](int t) {
        thread_idx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
        for (long long b = 0; b < blocks; b++) {
            block_idx = dim3((unsigned) (b % grid.x), (unsigned) ((b / grid.x) % grid.y),
                             (unsigned) (b / ((long long) grid.x * grid.y)));
            std::tuple<P...> own = params;
            std::apply(kernel, own);
            block_barrier->arrive_and_drop();
            between.arrive_and_wait();
        }
    });
    block_barrier = nullptr;
    launches++;
    blocks_run += blocks;
}

// For kernels without __syncthreads() (no bar.sync in their PTX): runs the threads of each block
// one after another on the calling thread, which is equivalent when threads do not communicate.
// A __syncthreads() reached in this mode aborts.
template <class... P, class... A>
void launch_sequential(dim3 grid, dim3 block, void (*kernel)(P...), A&&... args) {
    if (!valid_launch(grid, block)) std::abort();
    const std::tuple<P...> params(std::forward<A>(args)...);
    block_dim = block;
    grid_dim = grid;
    block_barrier = nullptr;
    const long long blocks = (long long) grid.x * grid.y * grid.z;
    for (long long b = 0; b < blocks; b++) {
        block_idx = dim3((unsigned) (b % grid.x), (unsigned) ((b / grid.x) % grid.y),
                         (unsigned) (b / ((long long) grid.x * grid.y)));
        for (unsigned z = 0; z < block.z; z++) {
            for (unsigned y = 0; y < block.y; y++) {
                for (unsigned x = 0; x < block.x; x++) {
                    thread_idx = dim3(x, y, z);
                    std::tuple<P...> own = params;
                    std::apply(kernel, own);
                }
            }
        }
    }
    launches++;
    blocks_run += blocks;
}
}  // namespace cuda_emu

#define threadIdx (::cuda_emu::thread_idx)
#define blockIdx (::cuda_emu::block_idx)
#define blockDim (::cuda_emu::block_dim)
#define gridDim (::cuda_emu::grid_dim)
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __syncthreads() ::cuda_emu::syncthreads()

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}

inline int __float_as_int(float f) {
    int i;
    std::memcpy(&i, &f, sizeof i);
    return i;
}

inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __expf(float a) { return std::exp(a); }
inline float __logf(float a) { return std::log(a); }
inline float rsqrtf(float a) { return 1.0f / std::sqrt(a); }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
using std::isnan;

inline float atomicAdd(float* address, float v) {
    return std::atomic_ref<float>(*address).fetch_add(v);
}

inline int atomicAdd(int* address, int v) {
    return std::atomic_ref<int>(*address).fetch_add(v);
}
