package dev.fineturn.reference;

import dev.fineturn.spi.ConvGeometry;

/** Direct convolution loops, NCHW input, OIHW weights, double accumulation. */
public final class ConvKernels {
    private ConvKernels() {
    }

    public static void forward(ConvGeometry g, float[] x, float[] w, float[] y) {
        int oh = g.outH();
        int ow = g.outW();
        int icg = g.inChannelsPerGroup();
        int ocg = g.outChannelsPerGroup();
        for (int n = 0; n < g.batch(); n++) {
            for (int oc = 0; oc < g.outChannels(); oc++) {
                int group = oc / ocg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = 0;
                        for (int ic = 0; ic < icg; ic++) {
                            int c = group * icg + ic;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.inH()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix < 0 || ix >= g.inW()) {
                                        continue;
                                    }
                                    sum += (double) x[((n * g.inChannels() + c) * g.inH() + iy) * g.inW() + ix]
                                            * w[((oc * icg + ic) * g.kernelH() + ky) * g.kernelW() + kx];
                                }
                            }
                        }
                        y[((n * g.outChannels() + oc) * oh + oy) * ow + ox] = (float) sum;
                    }
                }
            }
        }
    }

    public static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int oh = g.outH();
        int ow = g.outW();
        int icg = g.inChannelsPerGroup();
        int ocg = g.outChannelsPerGroup();
        double[] acc = new double[g.batch() * g.inChannels() * g.inH() * g.inW()];
        for (int n = 0; n < g.batch(); n++) {
            for (int oc = 0; oc < g.outChannels(); oc++) {
                int group = oc / ocg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double d = dy[((n * g.outChannels() + oc) * oh + oy) * ow + ox];
                        for (int ic = 0; ic < icg; ic++) {
                            int c = group * icg + ic;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.inH()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix < 0 || ix >= g.inW()) {
                                        continue;
                                    }
                                    acc[((n * g.inChannels() + c) * g.inH() + iy) * g.inW() + ix]
                                            += d * w[((oc * icg + ic) * g.kernelH() + ky) * g.kernelW() + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) {
            dx[i] = (float) acc[i];
        }
    }

    public static void backwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        int oh = g.outH();
        int ow = g.outW();
        int icg = g.inChannelsPerGroup();
        int ocg = g.outChannelsPerGroup();
        for (int oc = 0; oc < g.outChannels(); oc++) {
            int group = oc / ocg;
            for (int ic = 0; ic < icg; ic++) {
                int c = group * icg + ic;
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        double sum = 0;
                        for (int n = 0; n < g.batch(); n++) {
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.inH()) {
                                    continue;
                                }
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix < 0 || ix >= g.inW()) {
                                        continue;
                                    }
                                    sum += (double) dy[((n * g.outChannels() + oc) * oh + oy) * ow + ox]
                                            * x[((n * g.inChannels() + c) * g.inH() + iy) * g.inW() + ix];
                                }
                            }
                        }
                        dw[((oc * icg + ic) * g.kernelH() + ky) * g.kernelW() + kx] = (float) sum;
                    }
                }
            }
        }
    }
}
