"""Camera scanning: QR codes read from OpenCV frames and sent as check-ins."""
