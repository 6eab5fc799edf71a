package perceiver.golden;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import perceiver.core.Trace;
import perceiver.io.image.ImageProcessor;
import perceiver.io.image.PillowBicubic;
import perceiver.io.media.RgbImage;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * The {@code image-processor} golden case ({@code "kind": "image_processor"}): HF's {@code PerceiverImageProcessor}
 * with Pillow's bicubic resize on the PNG files its config lists, recorded under the case's names
 * ({@code image<i>.crop_box}, {@code image<i>.cropped}, {@code image<i>.resized}, {@code pixel_values}).
 */
final class ImageProcessorCase {
    static final String KIND = "image_processor";

    private ImageProcessorCase() {}

    static void record(Path dir, JsonNode config, Trace trace) {
        List<Path> files = new ArrayList<>();
        JsonNode images = config.path("images");
        for (int i = 0; i < images.size(); i++) {
            Path file = dir.resolve(images.get(i).get("file").asText());
            files.add(file);
            RgbImage image = RgbImage.read(file);
            int[] box = ImageProcessor.centerCropBox(image.height(), image.width());
            trace.put("image" + i + ".crop_box", new LongTensor(new long[] {box[0], box[1], box[2], box[3]}, new int[] {4}));
            RgbImage cropped = ImageProcessor.centerCrop(image);
            trace.put("image" + i + ".cropped", hwc(cropped));
            trace.put("image" + i + ".resized", hwc(PillowBicubic.resize(cropped, ImageProcessor.SIZE, ImageProcessor.SIZE)));
        }
        trace.put("pixel_values", ImageProcessor.preprocess(files));
    }

    /** The image's bytes as floats {@code [H, W, 3]} (the case stores uint8 values as F32). */
    private static Tensor hwc(RgbImage image) {
        byte[] rgb = image.rgb();
        float[] out = new float[rgb.length];
        for (int i = 0; i < out.length; i++) out[i] = rgb[i] & 0xff;
        return Tensor.of(out, image.height(), image.width(), 3);
    }
}
