// fineturn CUDA kernels. Compiled to PTX (compute_80) by build-ptx.sh; the PTX is committed as a
// resource so that neither the build nor the user needs a CUDA toolkit.
//
// The op families that CUDA and OpenCL compute alike are written once in kernels/ at the root of
// the repository, against kernels/dialect.h; only the tiled GEMM and the implicit-GEMM
// convolutions are CUDA's own (gemm.cu, conv.cu). The same source also compiles with g++ against src/test/cuda/cuda_emu.h,
// which runs each block's threads as std::threads; the kernel test there checks every kernel
// against naive loops. Keep to what that header emulates: no warp intrinsics, shared-memory tree
// reductions, __syncthreads() reached by every thread of a block.
//
// Conventions: unary op codes follow dev.fineturn.spi.UnaryOp's ordinal order, binary codes
// BinaryOp's. Kernels that use block_sum/block_max run with blockDim.x == RB exactly. The tiled
// GEMM kernels run with 256 threads in one dimension. Index arithmetic is 32-bit: the host refuses
// tensors beyond 2^31 - 1 elements.

#include "../../../../kernels/dialect.h"
#include "../../../../kernels/elementwise.h"
#include "../../../../kernels/reduce.h"
#include "gemm.cu"
#include "conv.cu"
#include "../../../../kernels/conv_direct.h"
#include "../../../../kernels/pool.h"
#include "../../../../kernels/softmax.h"
#include "../../../../kernels/norm.h"
#include "../../../../kernels/dropout.h"
#include "../../../../kernels/optim.h"
