package dev.fineturn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvDatasetTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        return Files.writeString(dir.resolve("data.csv"), text);
    }

    @Test
    void readsLabelFirstRowsWithScale() throws IOException {
        Path f = csv("label,p0,p1,p2,p3\n2,0,255,51,102\n\n0, 10 ,20,30,40\n");
        InMemoryDataset d = CsvDataset.format(1, 2, 2).header(true).pixelScale(1 / 255f).read(f);
        assertEquals(2, d.size());
        assertEquals(3, d.numClasses());
        assertArrayEquals(new int[]{1, 2, 2}, d.sampleShape());
        assertArrayEquals(new float[]{0, 1, 0.2f, 0.4f}, d.get(0).pixels(), 1e-7f);
        assertEquals(2, d.get(0).label());
        assertArrayEquals(new float[]{10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f}, d.get(1).pixels(), 1e-7f);
    }

    @Test
    void readsTheLabelFromAnotherColumn() throws IOException {
        Path f = csv("0.5,0.25,1,0.75\n1,0,0,0\n");
        InMemoryDataset d = CsvDataset.format(3, 1, 1).labelColumn(2).numClasses(5).read(f);
        assertEquals(5, d.numClasses());
        assertEquals(1, d.get(0).label());
        assertArrayEquals(new float[]{0.5f, 0.25f, 0.75f}, d.get(0).pixels());
        assertEquals(0, d.get(1).label());
        assertArrayEquals(new float[]{1, 0, 0}, d.get(1).pixels());
    }

    @Test
    void badValueNamesTheLineAndColumn() throws IOException {
        Path f = csv("1,2,3\n1,2,x\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> CsvDataset.format(1, 1, 2).read(f));
        assertTrue(e.getMessage().contains("data.csv") && e.getMessage().contains("line 2, column 3"),
                e.getMessage());
    }

    @Test
    void wrongValueCountNamesTheLine() throws IOException {
        Path f = csv("h\n1,2,3\n\n1,2,3\n1,2\n");
        DatasetFormatException few = assertThrows(DatasetFormatException.class,
                () -> CsvDataset.format(1, 1, 2).header(true).read(f));
        assertTrue(few.getMessage().contains("line 5: 2 values where 3"), few.getMessage());
        Path g = csv("1,2,3,4\n");
        DatasetFormatException many = assertThrows(DatasetFormatException.class,
                () -> CsvDataset.format(1, 1, 2).read(g));
        assertTrue(many.getMessage().contains("line 1: more than the 3"), many.getMessage());
    }

    @Test
    void badLabelNamesTheLine() throws IOException {
        Path f = csv("0,1,1\n1.5,1,1\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> CsvDataset.format(1, 1, 2).read(f));
        assertTrue(e.getMessage().contains("line 2: label '1.5'"), e.getMessage());
        Path g = csv("0,1,1\n1,1,1\n7,1,1\n");
        DatasetFormatException r = assertThrows(DatasetFormatException.class,
                () -> CsvDataset.format(1, 1, 2).numClasses(3).read(g));
        assertTrue(r.getMessage().contains("line 3: label 7 is outside [0, 3)"), r.getMessage());
    }

    @Test
    void manyRowsGrowTheBuffers() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append(i % 4).append(',').append(i).append(',').append(-i).append('\n');
        }
        InMemoryDataset d = CsvDataset.format(1, 2, 1).read(csv(sb.toString()));
        assertEquals(200, d.size());
        assertArrayEquals(new float[]{199, -199}, d.get(199).pixels());
        assertEquals(3, d.get(199).label());
    }
}
