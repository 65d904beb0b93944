package dev.fineturn.bench;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The line protocol paired.py speaks to the worker, on workloads small enough for a unit test. */
class PairedWorkerTest {
    private static String[] serve(String commands) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PairedWorker.serve(new BufferedReader(new StringReader(commands)), new PrintStream(bytes, true,
                StandardCharsets.UTF_8), 0);
        return bytes.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void setupAnswersTheWorkOfOneCallAndRunCountsCalls() throws Exception {
        String[] out = serve("setup gemm 16 1\nrun 0.05\nsetup conv cifar forward 1\nquit\nrun 1\n");
        assertEquals(3, out.length, String.join("|", out));
        assertEquals("READY " + 2.0 * 16 * 16 * 16 + " FLOP", out[0]);
        String[] result = out[1].split(" ");
        assertEquals("RESULT", result[0]);
        assertTrue(Long.parseLong(result[1]) >= 1, out[1]);
        assertTrue(Double.parseDouble(result[2]) >= 0.05, out[1]);
        assertEquals("READY " + ConvBenchmark.flops("cifar", "forward") + " FLOP", out[2]);
    }

    @Test
    void aConvLayerCanBeGivenByItsShape() throws Exception {
        // N=2, C=3 -> K=5, 9x9 input, 3x3 kernel, stride 2, pad 1: a 5x5 output, 2*2*5*3*9*25 flops forward.
        String[] out = serve("setup conv 2,3,5,9,3,2,1 forward+backward 1\nsetup conv 2,3,5,9 forward 1\n");
        assertEquals("READY " + 3 * 2.0 * 2 * 5 * 3 * 9 * 25 + " FLOP", out[0]);
        assertTrue(out[1].startsWith("ERROR") && out[1].contains("N,C,K,H,kernel,stride,pad"), out[1]);
    }

    @Test
    void badCommandsGetAnErrorLineAndTheWorkerGoesOn() throws Exception {
        String[] out = serve("run 1\nsetup tensor 3 1\nfrobnicate\nsetup conv cifar\nsetup step inference 1\nrun\n");
        assertTrue(out[0].startsWith("ERROR java.lang.IllegalStateException: run before setup"), out[0]);
        assertTrue(out[1].startsWith("ERROR") && out[1].contains("unknown workload 'tensor'"), out[1]);
        assertTrue(out[2].startsWith("ERROR") && out[2].contains("unknown command 'frobnicate'"), out[2]);
        assertTrue(out[3].startsWith("ERROR") && out[3].contains("setup conv LAYER PASS THREADS"), out[3]);
        assertEquals("READY 32.0 img", out[4]);
        assertTrue(out[5].startsWith("ERROR") && out[5].contains("run SECONDS"), out[5]);
    }

    @Test
    void inferenceWorkloadsAndOnnxRuntimeOnTheSameModel() throws Exception {
        String[] out = serve("setup ort mobilenet_v2 1\nrun 0.05\nsetup features mobilenet_v2 1\n"
                + "setup infer mobilenet_v2 1\nrun 0.05\nquit\n");
        assertEquals(5, out.length, String.join("|", out));
        assertEquals("READY 32.0 img onnxruntime-" + OrtInference.version(), out[0]);
        assertTrue(out[1].startsWith("RESULT "), out[1]);
        assertEquals("READY 32.0 img", out[2]);
        assertEquals("READY 32.0 img", out[3]);
        assertTrue(out[4].startsWith("RESULT "), out[4]);
    }

    @Test
    void inferenceWorkloadsNameTheirModels() throws Exception {
        String[] out = serve("setup infer vgg11 1\nsetup ort resnet18\n");
        assertTrue(out[0].startsWith("ERROR") && out[0].contains("unknown model 'vgg11'")
                && out[0].contains("resnet18, mobilenet_v2"), out[0]);
        assertTrue(out[1].startsWith("ERROR") && out[1].contains("setup ort MODEL THREADS"), out[1]);
    }
}
