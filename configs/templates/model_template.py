"""A skeleton for exporting your own PyTorch model with ExportModel.java.

Copy this file next to your code, put your network in it, then export it:

    ./jbang scripts/ExportModel.java --model-file my_model.py --model-class MyModel --dtype fp16

ExportModel imports this file in the workspace's Python (.venv), creates the class named by --model-class with no
arguments and calls the two methods ExecuTorch's own example models (executorch.examples.models) have:

    get_eager_model()     the torch.nn.Module to export (it is put in eval mode)
    get_example_inputs()  a tuple of example inputs; their shapes become the shapes of the exported program

Optional: get_dynamic_shapes() returning the dynamic_shapes argument of torch.export.export.
--dtype fp16 converts the model and its floating-point inputs to float16; --dtype int8 quantizes it for XNNPACK.
The output is <workspace>/models/my_model_xnnpack_fp16.pte (the name is the class name in snake_case), its .etrecord
and its .export.json.
"""

import torch


class TinyNet(torch.nn.Module):
    """Replace this with your network (or import it from your own module)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)
        self.act = torch.nn.ReLU()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.head = torch.nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.act(self.conv(x)))
        return self.head(torch.flatten(x, 1))


class MyModel:
    """What ExportModel instantiates (--model-class MyModel)."""

    def get_eager_model(self) -> torch.nn.Module:
        model = TinyNet()
        # Load trained weights here, e.g. model.load_state_dict(torch.load("weights.pt", map_location="cpu"))
        return model.eval()

    def get_example_inputs(self):
        # One tuple entry per forward() argument, shaped like a real input (batch 1).
        return (torch.randn(1, 3, 224, 224),)
