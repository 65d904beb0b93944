// The dialect the shared kernels are written in: one source per op family, compiled as CUDA C++ (nvcc for the
// committed PTX, g++ against fineturn-backend-cuda's test emulation) and as OpenCL C (at run time).
//
//   KERNEL          a kernel entry point                 DEVICE      a function called from kernels
//   GLOBAL          qualifies a pointer to device memory  CONST_REF(T) a read-only parameter of struct type T
//   LOCAL           an array shared by a block / work-group, declared in a kernel
//   LOCAL_PTR       qualifies a pointer parameter to such an array
//   GID, LID        the thread's global and in-block index (dimension 0), as int
//   GROUP_ID        the block's / work-group's index (dimension 0)
//   BARRIER()       every thread of the block waits, and shared memory writes before it are seen after it
//   RB              the threads of a block in the reduction kernels, which run with exactly RB
//   I64, U64, U64_C(x)   64-bit integers and unsigned 64-bit literals
//   NAN_F, NEG_INF_F     quiet NaN and -infinity
//   NO_CONTRACTION  from here on, a * b + c is not fused into an FMA
// Math is written as CUDA names it (expf, logf, __fadd_rn, __int_as_float, ...); OpenCL maps them below.
// Kernels keep to what the CUDA emulation models: no warp intrinsics, no atomics, tree reductions in shared
// memory, BARRIER() reached by every thread of a block.
#ifndef FINETURN_DIALECT_H
#define FINETURN_DIALECT_H

#ifdef __OPENCL_VERSION__

#define KERNEL __kernel
#define DEVICE
#define GLOBAL __global
#define CONST_REF(T) const T
#define LOCAL __local
#define LOCAL_PTR __local
#define GID ((int) get_global_id(0))
#define LID ((int) get_local_id(0))
#define GROUP_ID ((int) get_group_id(0))
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define RB 64
#define I64 long
#define U64 ulong
#define U64_C(x) x##UL
#define NAN_F NAN
#define NEG_INF_F (-INFINITY)
#define NO_CONTRACTION _Pragma("OPENCL FP_CONTRACT OFF")

#define expf exp
#define logf log
#define tanhf tanh
#define sqrtf sqrt
#define fabsf fabs
#define floorf floor
#define __int_as_float as_float
#define __float_as_int as_int
// With NO_CONTRACTION in force these round as the CUDA intrinsics do (division and square root to
// the device's OpenCL precision).
#define __fadd_rn(a, b) ((a) + (b))
#define __fsub_rn(a, b) ((a) - (b))
#define __fmul_rn(a, b) ((a) * (b))
#define __fdiv_rn(a, b) ((a) / (b))
#define __fsqrt_rn(a) sqrt(a)

#else

#define KERNEL extern "C" __global__
#define DEVICE __device__
#define GLOBAL
#define CONST_REF(T) const T&
#define LOCAL __shared__
#define LOCAL_PTR
#define GID (blockIdx.x * blockDim.x + threadIdx.x)
#define LID threadIdx.x
#define GROUP_ID blockIdx.x
#define BARRIER() __syncthreads()
#define RB 256
#define I64 long long
#define U64 unsigned long long
#define U64_C(x) x##ULL
#define NAN_F __int_as_float(0x7fc00000)
#define NEG_INF_F __int_as_float(0xff800000)
// The _rn intrinsics are never contracted.
#define NO_CONTRACTION

#endif

// Up to 8 extents or strides of a tensor.
typedef struct Dims { int v[8]; } Dims;
// Convolution: {batch, inC, inH, inW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH,
//               dilationW, groups, outH, outW}.
// Pooling:     {planes, inH, inW, kh, kw, strideH, strideW, padTop, padLeft, padBottom, padRight,
//               countIncludePad, outH, outW, 0, 0}.
typedef struct Geo { int v[16]; } Geo;

#endif
