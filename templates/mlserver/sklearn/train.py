"""Trains {{name}} on the iris data scikit-learn ships, and saves it where mserve.yaml points.

Run it with the Python that has scikit-learn (e.g. .venv-mlserver/bin/python train.py).
MLServer's scikit-learn runtime reads the file with joblib.load, so save with joblib.
"""

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_iris(return_X_y=True)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0)).fit(X, y)
joblib.dump(model, "model.joblib")
print("saved model.joblib; first rows:", model.predict(X[:3]).tolist())
