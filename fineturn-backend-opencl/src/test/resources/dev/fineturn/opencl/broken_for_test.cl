// Does not compile: ClProgramTest checks that the build log reaches the exception.
__kernel void broken(__global float* out) {
    out[0] = undeclared_on_purpose;
}
