// Optimiser steps.
// Shared by the CUDA and OpenCL backends; written against dialect.h (see README.md).

// Parameter updates with PyTorch's semantics, in the reference's operation order. Neither the _rn
// operations nor anything after NO_CONTRACTION is fused into multiply-adds, so results round like
// the Java reference.
NO_CONTRACTION

// buf is only touched when momentum != 0.
KERNEL void sgd_step(float lr, float momentum, float dampening, float weightDecay, int nesterov, int firstStep,
                     GLOBAL float* param, GLOBAL const float* grad, GLOBAL float* buf, int n) {
    int i = GID;
    if (i >= n) return;
    float g = __fadd_rn(grad[i], __fmul_rn(weightDecay, param[i]));
    if (momentum != 0.0f) {
        float b = firstStep ? g : __fadd_rn(__fmul_rn(momentum, buf[i]), __fmul_rn(__fsub_rn(1.0f, dampening), g));
        buf[i] = b;
        g = nesterov ? __fadd_rn(g, __fmul_rn(momentum, b)) : b;
    }
    param[i] = __fsub_rn(param[i], __fmul_rn(lr, g));
}

// decay = 1 - lr * weightDecay, computed on the host as the reference does.
KERNEL void adamw_step(float lr, float beta1, float beta2, float eps, float decay, float biasCorrection1,
                       float biasCorrection2, GLOBAL float* param, GLOBAL const float* grad, GLOBAL float* m,
                       GLOBAL float* v, int n) {
    int i = GID;
    if (i >= n) return;
    float g = grad[i];
    float p = __fmul_rn(param[i], decay);
    float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(__fsub_rn(1.0f, beta1), g));
    float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(__fmul_rn(__fsub_rn(1.0f, beta2), g), g));
    m[i] = mi;
    v[i] = vi;
    float mHat = __fdiv_rn(mi, biasCorrection1);
    float vHat = __fdiv_rn(vi, biasCorrection2);
    param[i] = __fsub_rn(p, __fdiv_rn(__fmul_rn(lr, mHat), __fadd_rn(__fsqrt_rn(vHat), eps)));
}
