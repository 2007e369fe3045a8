"""The MLPerf Tiny models (v1.0 training scripts, re-written as torch modules).

Keras 'same' padding is reproduced exactly: where TensorFlow pads asymmetrically (stride 2 on
an even size, or an even kernel) the module pads explicitly with F.pad and the convolution
has padding 0, as tf2onnx's exports of the reference models do. ResNet8 is the class of
tools/make_torch_resnet8.py (the same module the repository's torch-export golden test uses).
"""

import importlib.util
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

KERAS_BN_EPS = 1e-3  # Keras BatchNormalization's default epsilon


def keras_same_pads(size, kernel, stride):
    """(before, after) padding TensorFlow's 'same' adds along one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class ConvBNReLU(nn.Module):
    """Conv2d (with bias, as Keras' default) + BatchNorm + ReLU, Keras 'same' padding."""

    def __init__(self, cin, cout, kernel, stride, in_hw, groups=1):
        super().__init__()
        ph = keras_same_pads(in_hw[0], kernel[0], stride)
        pw = keras_same_pads(in_hw[1], kernel[1], stride)
        symmetric = ph[0] == ph[1] and pw[0] == pw[1]
        self.pad = None if symmetric else (pw[0], pw[1], ph[0], ph[1])
        padding = (ph[0], pw[0]) if symmetric else 0
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, groups=groups)
        self.bn = nn.BatchNorm2d(cout, eps=KERAS_BN_EPS)
        self.out_hw = (-(-in_hw[0] // stride), -(-in_hw[1] // stride))

    def forward(self, x):
        if self.pad is not None:
            x = F.pad(x, self.pad)
        return F.relu(self.bn(self.conv(x)))


class DsCnnKws(nn.Module):
    """Keyword spotting DS-CNN (MLPerf Tiny kws): input [N,1,49,10] MFCCs, 12 classes."""

    def __init__(self, filters=64, blocks=4, classes=12):
        super().__init__()
        layers = [ConvBNReLU(1, filters, (10, 4), 2, (49, 10))]
        hw = layers[0].out_hw
        for _ in range(blocks):
            layers.append(ConvBNReLU(filters, filters, (3, 3), 1, hw, groups=filters))
            layers.append(ConvBNReLU(filters, filters, (1, 1), 1, hw))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d(hw)  # AveragePooling2D over the whole 25x5 map
        self.fc = nn.Linear(filters, classes)

    def forward(self, x):
        x = torch.flatten(self.pool(self.features(x)), 1)
        return F.softmax(self.fc(x), dim=1)


class MobileNetV1Vww(nn.Module):
    """Visual wake words MobileNetV1, alpha 0.25, input [N,3,96,96], 2 classes."""

    # (output channels at alpha 1, stride) of the 13 depthwise-separable blocks.
    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
              (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, alpha=0.25, size=96, classes=2):
        super().__init__()
        c = int(32 * alpha)
        layers = [ConvBNReLU(3, c, (3, 3), 2, (size, size))]
        hw = layers[0].out_hw
        for cout, stride in self.BLOCKS:
            cout = int(cout * alpha)
            dw = ConvBNReLU(c, c, (3, 3), stride, hw, groups=c)
            hw = dw.out_hw
            layers += [dw, ConvBNReLU(c, cout, (1, 1), 1, hw)]
            c = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d(hw)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        x = torch.flatten(self.pool(self.features(x)), 1)
        return F.softmax(self.fc(x), dim=1)


class AnomalyAutoencoder(nn.Module):
    """Anomaly detection (ToyADMOS) fully-connected autoencoder: 640 -> 8 -> 640."""

    WIDTHS = [128, 128, 128, 128, 8, 128, 128, 128, 128]

    def __init__(self, inputs=640):
        super().__init__()
        layers, cin = [], inputs
        for w in self.WIDTHS:
            layers += [nn.Linear(cin, w), nn.BatchNorm1d(w, eps=KERAS_BN_EPS), nn.ReLU()]
            cin = w
        layers.append(nn.Linear(cin, inputs))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def resnet8():
    """ResNet8 (MLPerf Tiny image classification, CIFAR-10) from tools/make_torch_resnet8.py."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "make_torch_resnet8.py")
    spec = importlib.util.spec_from_file_location("make_torch_resnet8", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ResNet8(KERAS_BN_EPS)
