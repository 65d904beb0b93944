import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Two fineturn builds in one JVM, each in its own class loader, timed call by call in alternation:
 * whatever else the host runs slows both alike, so the median of the per-pair ratios shows
 * differences of a few percent that separate runs (which move up to 2x here) hide.
 * Usage: AB OLD.jar NEW.jar SECONDS_PER_CASE WORKLOAD... (see Workload).
 */
public final class AB {
    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[2]);
        Path classes = Path.of(System.getProperty("ab.classes"));
        List<Method> factories = new ArrayList<>();
        for (int j = 0; j < 2; j++) {
            URLClassLoader loader = new URLClassLoader(new URL[]{Path.of(args[j]).toUri().toURL(),
                    classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            factories.add(loader.loadClass("Workload").getMethod("of", String.class));
        }
        System.out.printf("B = %s, A = %s%n", args[1], args[0]);
        for (int i = 3; i < args.length; i++) {
            Runnable a = (Runnable) factories.get(0).invoke(null, args[i]);
            Runnable b = (Runnable) factories.get(1).invoke(null, args[i]);
            for (int w = 0; w < 10; w++) {
                a.run();
                b.run();
            }
            List<Double> ta = new ArrayList<>();
            List<Double> tb = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                a.run();
                long t1 = System.nanoTime();
                b.run();
                long t2 = System.nanoTime();
                ta.add((t1 - t0) * 1e-6);
                tb.add((t2 - t1) * 1e-6);
                ratio.add((double) (t2 - t1) / (t1 - t0));
            }
            Collections.sort(ta);
            Collections.sort(tb);
            Collections.sort(ratio);
            int n = ratio.size();
            System.out.printf("%-24s A %8.2f ms  B %8.2f ms  B/A median %.3f [quartiles %.3f %.3f] pairs %d%n",
                    args[i], ta.get(n / 2), tb.get(n / 2), ratio.get(n / 2), ratio.get(n / 4), ratio.get(3 * n / 4),
                    n);
        }
        System.exit(0);
    }
}
