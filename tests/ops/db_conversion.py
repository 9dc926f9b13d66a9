"""OpInfo entries: conversion ops."""

from __future__ import annotations

ENTRIES: list = []
