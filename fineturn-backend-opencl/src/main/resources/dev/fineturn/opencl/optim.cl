// Parameter updates with PyTorch's semantics, in the reference's operation order. Contraction
// into fused multiply-adds is off so that results round like the Java reference.
#pragma OPENCL FP_CONTRACT OFF

// buf is only touched when momentum != 0.
__kernel void sgd_step(float lr, float momentum, float dampening, float weightDecay, int nesterov, int firstStep,
                       __global float* param, __global const float* grad, __global float* buf, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = grad[i] + weightDecay * param[i];
    if (momentum != 0.0f) {
        float b = firstStep ? g : momentum * buf[i] + (1.0f - dampening) * g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
    }
    param[i] -= lr * g;
}

// decay = 1 - lr * weightDecay, computed on the host as the reference does.
__kernel void adamw_step(float lr, float beta1, float beta2, float eps, float decay, float biasCorrection1,
                         float biasCorrection2, __global float* param, __global const float* grad,
                         __global float* m, __global float* v, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = grad[i];
    float p = param[i] * decay;
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - lr * (mi / biasCorrection1) / (sqrt(vi / biasCorrection2) + eps);
}
